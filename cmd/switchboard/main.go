// Command switchboard is the lead dispatcher: the local console, the server (SSH and
// HTTP), and the operator's CLI, all over one engine on one SQLite file.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

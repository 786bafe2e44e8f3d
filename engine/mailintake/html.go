package mailintake

import (
	"html"
	"strings"
)

// htmlText is the text a person reads in an HTML message: tags dropped, the contents
// of script, style, head and comments dropped, a line break for each block (p, div,
// br, li, tr, headings…), entities decoded. It is a reader's approximation, not a
// parser: it only has to find the words a keyword might be and what the dispatcher
// reads, and it runs in one pass over at most the message's size.
func htmlText(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(html.UnescapeString(s))
			break
		}
		b.WriteString(html.UnescapeString(s[:lt]))
		s = s[lt:]
		if strings.HasPrefix(s, "<!--") {
			end := strings.Index(s, "-->")
			if end < 0 {
				break
			}
			s = s[end+3:]
			continue
		}
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			break
		}
		name := tagName(s[1:gt])
		s = s[gt+1:]
		switch name {
		case "script", "style", "head", "title", "template":
			// Their content is not text for people: skip to the closing tag.
			end := indexFold(s, "</"+name)
			if end < 0 {
				s = ""
				continue
			}
			s = s[end:]
			if gt := strings.IndexByte(s, '>'); gt >= 0 {
				s = s[gt+1:]
			} else {
				s = ""
			}
		case "br", "p", "/p", "div", "/div", "li", "tr", "/tr", "h1", "h2", "h3", "h4", "h5", "h6",
			"/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "blockquote", "/blockquote", "table", "/table", "hr":
			b.WriteByte('\n')
		case "td", "th":
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// tagName is the lower-cased name of a tag from the text between < and >, with its
// slash for a closing tag: "P class=x" is "p", "/DIV" is "/div", "br/" is "br".
func tagName(tag string) string {
	tag = strings.TrimSpace(tag)
	closing := strings.HasPrefix(tag, "/")
	tag = strings.TrimPrefix(tag, "/")
	end := strings.IndexAny(tag, " \t\r\n/")
	if end >= 0 {
		tag = tag[:end]
	}
	tag = strings.ToLower(tag)
	if closing {
		return "/" + tag
	}
	return tag
}

// indexFold is strings.Index for an ASCII needle, ignoring case.
func indexFold(s, needle string) int {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], needle) {
			return i
		}
	}
	return -1
}

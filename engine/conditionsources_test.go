package engine_test

import (
	"reflect"
	"testing"

	"github.com/switchboard/switchboard/engine"
)

func TestConditionSources(t *testing.T) {
	for _, c := range []struct {
		cond string
		want []string
	}{
		{``, nil},
		{`source == "web"`, []string{"web"}},
		{`"web" == source && fields.city == "Lyon"`, []string{"web"}},
		{`source in ["facebook", "tiktok", "facebook"] || source != "api"`, []string{"api", "facebook", "tiktok"}},
		{`source not in ["spam"]`, []string{"spam"}},
		{`name == "web" && "vip" in tags`, nil},
		{`hasPrefix(source, "fa")`, nil},
		{`source ==`, nil},
	} {
		if got := engine.ConditionSources(c.cond); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %q, want %q", c.cond, got, c.want)
		}
	}
}

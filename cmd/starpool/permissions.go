package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/starpool/starpool"
)

// grantFlag is an --allow-X flag: alone it grants everything ("*"), with
// =a,b it grants the listed hosts or paths, as Deno's flags do.
type grantFlag struct{ list *[]string }

func (g grantFlag) String() string {
	if g.list == nil {
		return ""
	}
	return strings.Join(*g.list, ",")
}

func (g grantFlag) Set(v string) error {
	if v == "true" || v == "" {
		*g.list = append(*g.list, "*")
		return nil
	}
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*g.list = append(*g.list, item)
		}
	}
	return nil
}

// IsBoolFlag lets the flag appear without a value.
func (g grantFlag) IsBoolFlag() bool { return true }

// permissionFlags adds the --allow-* flags to fs; the returned function
// completes the permissions after parsing.
func permissionFlags(fs *flag.FlagSet, p *starpool.Permissions) func() {
	fs.Var(grantFlag{&p.Net}, "allow-net", "allow network access, to all hosts or to `host[:port],...`")
	fs.Var(grantFlag{&p.Read}, "allow-read", "allow reading files, all or under `path,...`")
	fs.Var(grantFlag{&p.Write}, "allow-write", "allow writing files, all or under `path,...`")
	fs.BoolVar(&p.Env, "allow-env", false, "allow reading environment variables")
	all := fs.Bool("allow-all", false, "allow everything: network, files and environment")
	fs.BoolVar(all, "A", false, "short for --allow-all")
	return func() {
		if *all {
			p.Net, p.Read, p.Write, p.Env = []string{"*"}, []string{"*"}, []string{"*"}, true
		}
		p.Hint = flagHint
	}
}

// flagHint names the flag that grants a refused access.
func flagHint(kind, target string) string {
	switch kind {
	case "env":
		return "run with --allow-env"
	case "net", "read", "write":
		return fmt.Sprintf("run with --allow-%s=%s", kind, target)
	}
	return ""
}

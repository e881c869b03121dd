package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// flagShapes names the value each flag takes, as --help shows it
// (--var NAME=VALUE, --junit FILE); a switch (--json) has none.
type flagShapes map[string]string

// unnamedShape is what printFlags shows for a flag that takes a value
// but has no shape in its flagShapes: a test fails on it.
const unnamedShape = "VALUE"

// printFlags writes every flag of fs as the commands' --help lists them:
// "--name SHAPE" on one line, its usage and default on the next. One
// writer for every command, so they cannot drift apart.
func printFlags(w io.Writer, fs *flag.FlagSet, shapes flagShapes) {
	fs.VisitAll(func(f *flag.Flag) {
		head := "  --" + f.Name
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
			shape := shapes[f.Name]
			if shape == "" {
				shape = unnamedShape
			}
			head += " " + shape
		}
		usage := f.Usage
		switch {
		case f.DefValue == "" || f.DefValue == "0" || f.DefValue == "false" || f.DefValue == "0s":
		case strings.ContainsAny(f.DefValue, " \t"):
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		default:
			usage += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n        %s\n", head, usage)
	})
}

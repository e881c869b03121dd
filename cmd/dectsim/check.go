package main

import (
	"fmt"
	"io"
	"os"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/lint"
	"github.com/dectsim/dectsim/internal/textio/printable"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// stdin is what `dectsim check -` reads (tests set it).
var stdin io.Reader = os.Stdin

// stdinName names standard input in findings.
const stdinName = "<stdin>"

// checkTally is what dectsim check has seen so far.
type checkTally struct {
	opts             lint.Options
	stdout, stderr   io.Writer
	files            int
	errors, warnings int
	worst            int
}

// checkAll lints every argument: "-" is standard input, a directory every
// *.xml file directly in it whose root is <provisioning> (one that is not
// XML at all stays, to be reported), anything else a file. It ends with
// the summary line "N files, N errors, N warnings" on stdout, where errors
// counts the error-level findings and the files or directories that could
// not be read, and returns the exit code.
func checkAll(args []string, opts lint.Options, stdout, stderr io.Writer) int {
	c := &checkTally{opts: opts, stdout: stdout, stderr: stderr, worst: exitOK}
	for _, a := range args {
		switch fi, err := os.Stat(a); {
		case a == "-":
			c.check(lint.CheckReader(stdinName, stdin, opts))
		case err == nil && fi.IsDir():
			c.dir(a)
		default:
			c.check(lint.CheckFile(a, opts))
		}
	}
	fmt.Fprintf(stdout, "%d files, %d errors, %d warnings\n", c.files, c.errors, c.warnings)
	return c.worst
}

// dir lints the provisioning files of a directory.
func (c *checkTally) dir(d string) {
	files, err := xmltok.FilesWithRoot(d, "provisioning")
	if err == nil && len(files) == 0 {
		err = fmt.Errorf("%s: no *.xml provisioning files in this directory", d)
	}
	if err != nil {
		c.fail(err)
		return
	}
	for _, f := range files {
		c.check(lint.CheckFile(f, c.opts))
	}
}

// check prints one file's findings and counts them.
func (c *checkTally) check(fds []lint.Finding, err error) {
	c.files++
	if err != nil {
		c.fail(err)
		return
	}
	for _, fd := range fds {
		fmt.Fprintln(c.stdout, fd.String())
		switch fd.Severity {
		case lint.Error:
			c.errors++
		case lint.Warning:
			c.warnings++
		}
	}
	switch {
	case lint.Unreadable(fds):
		c.worst = worse(c.worst, exitInput)
	case lint.HasErrors(fds):
		c.worst = worse(c.worst, exitExpected)
	}
}

// fail reports a file or directory that could not be read (exit 3).
func (c *checkTally) fail(err error) {
	fmt.Fprintf(c.stderr, "dectsim check: %s\n", printable.String(err.Error()))
	c.errors++
	c.worst = worse(c.worst, exitRuntime)
}

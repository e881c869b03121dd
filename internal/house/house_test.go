// Package house_test holds the repository's shape to its rules: which
// floor may import which, how many packages are public, which one package
// reads XML with encoding/xml, and how long a production function may
// grow. Each test is named after the rule it proves and fails, saying what
// to fix, when the rule breaks.
//
// The package facts come from `go list -e -json ./...` at the module
// root; the function lengths from go/parser.
package house_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dectsim/dectsim/internal/testfiles"
)

// module is the module path the rules are written for; listPackages
// fails when go.mod says another, so a rename cannot let them pass idly.
const module = "github.com/dectsim/dectsim"

// pkg is what the rules read of `go list -json`. Imports are the
// production files' imports only: TestImports and XTestImports are left
// out on purpose.
type pkg struct {
	ImportPath     string
	Dir            string
	GoFiles        []string
	CgoFiles       []string
	IgnoredGoFiles []string
	Imports        []string
	Module         *struct{ Path string }
	Error          *struct{ Err string }
}

// rel is the package's import path inside the module, as "internal/xmltok".
func (p pkg) rel() string {
	return strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
}

// sources are the package's production files: every .go file but the
// tests, including those a build constraint leaves out on this machine.
func (p pkg) sources() []string {
	var out []string
	for _, f := range slices.Concat(p.GoFiles, p.CgoFiles, p.IgnoredGoFiles) {
		if !strings.HasSuffix(f, "_test.go") {
			out = append(out, filepath.Join(p.Dir, f))
		}
	}
	return out
}

// listPackages runs `go list -e -json ./...` at the module root. With -e
// a package that does not build (an import cycle is how a floor is most
// often broken) is still listed with its imports, so the rules can name
// the break; its error is logged, and the build fails on it anyway.
func listPackages(t *testing.T) (root string, pkgs []pkg) {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH (%v): these tests ask `go list` for the packages; put Go's bin folder on PATH", err)
	}
	root = testfiles.Root(t)
	watchTree(t, root)
	cmd := exec.Command(goCmd, "list", "-e", "-json", "./...")
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list -e -json ./... in %s: %v\n%s", root, err, stderr.String())
	}
	for d := json.NewDecoder(&stdout); ; {
		var p pkg
		if err := d.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("reading go list's output: %v", err)
		}
		if p.Module == nil || p.Module.Path != module {
			t.Fatalf("package %s is not in module %s: these rules are written for that module path; update the module constant with go.mod", p.ImportPath, module)
		}
		if p.Error != nil {
			t.Logf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	return root, pkgs
}

// watchTree reads every folder of the module so that go test's cache,
// which notes the files and folders a test opens, runs these tests again
// when a file or package is added: `go list` runs in a process of its own
// and the cache sees nothing it reads.
func watchTree(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name := d.Name(); d.IsDir() && path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the module's folders: %v", err)
	}
}

// under reports whether the import path p is the module's folder dir or
// inside it.
func under(p, dir string) bool {
	return p == module+"/"+dir || strings.HasPrefix(p, module+"/"+dir+"/")
}

// climbs lists the imports by which a package under from reaches a
// package under one of the floors above it.
func climbs(pkgs []pkg, from string, above ...string) []string {
	var out []string
	for _, p := range pkgs {
		if !under(p.ImportPath, from) {
			continue
		}
		for _, imp := range p.Imports {
			for _, a := range above {
				if under(imp, a) {
					out = append(out, p.rel()+" imports "+strings.TrimPrefix(imp, module+"/"))
				}
			}
		}
	}
	return out
}

// TestInternalIsTheGroundFloor: no package under internal/ imports one
// under emulator/ or cmd/. Production imports only: a test may build on
// the floors above to check what it must.
func TestInternalIsTheGroundFloor(t *testing.T) {
	_, pkgs := listPackages(t)
	if bad := climbs(pkgs, "internal", "emulator", "cmd"); len(bad) > 0 {
		t.Errorf("internal/ is the ground floor: its packages import only the standard library, outside modules and other internal/ packages, never emulator/ or cmd/.\n"+
			"Move what the importer needs down into internal/, or the importer up to where it is used, then drop the import:\n  %s", strings.Join(bad, "\n  "))
	}
}

// TestEmulatorImportsNothingFromCmd: no package under emulator/ imports
// one under cmd/. Production imports only, as for internal/.
func TestEmulatorImportsNothingFromCmd(t *testing.T) {
	_, pkgs := listPackages(t)
	if bad := climbs(pkgs, "emulator", "cmd"); len(bad) > 0 {
		t.Errorf("emulator/ sits below cmd/: the emulator's packages never import the command's.\n"+
			"Move what the importer needs down into emulator/ or internal/, then drop the import:\n  %s", strings.Join(bad, "\n  "))
	}
}

// maxPublic is how many packages the module may offer for import.
const maxPublic = 6

// TestAtMostSixPublicPackages: at most six packages have no internal
// segment in their import path, cmd/dectsim and the examples counted.
// Packages of tests alone export nothing and do not count.
func TestAtMostSixPublicPackages(t *testing.T) {
	_, pkgs := listPackages(t)
	var public []string
	for _, p := range pkgs {
		if len(p.sources()) > 0 && !slices.Contains(strings.Split(p.ImportPath, "/"), "internal") {
			public = append(public, p.rel())
		}
	}
	if len(public) > maxPublic {
		t.Errorf("%d public packages, at most %d allowed:\n  %s\n"+
			"A package is public when no segment of its import path is internal. Move the new one under an internal/ folder "+
			"(internal/ for the ground floor, cmd/dectsim/internal/ for the command's own) or fold it into a public package that is already there.",
			len(public), maxPublic, strings.Join(public, "\n  "))
	}
}

// TestOnlyOnePackageImportsEncodingXML: exactly one production package
// imports encoding/xml (today internal/xmltok, the tokenizer with the
// limits and positions); every other package reads XML through it. Tests
// may use encoding/xml freely, so their imports are not counted.
func TestOnlyOnePackageImportsEncodingXML(t *testing.T) {
	_, pkgs := listPackages(t)
	var users []string
	for _, p := range pkgs {
		if slices.Contains(p.Imports, "encoding/xml") {
			users = append(users, p.rel())
		}
	}
	switch {
	case len(users) == 0:
		t.Errorf("no production package imports encoding/xml; internal/xmltok was the one that did.\n" +
			"If XML reading left encoding/xml on purpose, change this rule with it; otherwise restore the import in internal/xmltok.")
	case len(users) > 1:
		t.Errorf("encoding/xml is imported by %d production packages, exactly one allowed (today internal/xmltok):\n  %s\n"+
			"Read the XML through internal/xmltok in all but one of them and drop their encoding/xml import.",
			len(users), strings.Join(users, "\n  "))
	}
}

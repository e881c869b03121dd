package house_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// modulePackages lists the module's packages, each with the packages of
// the module it imports (test files aside), by path from the module root.
func modulePackages(t *testing.T) map[string][]string {
	t.Helper()
	_, list := listPackages(t)
	pkgs := make(map[string][]string, len(list))
	for _, p := range list {
		var own []string
		for _, imp := range p.Imports {
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
				own = append(own, rel)
			}
		}
		pkgs[p.rel()] = own
	}
	return pkgs
}

// readDoc reads a file of the repository, by path from its root.
func readDoc(t *testing.T, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testfiles.Root(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// section is the part of a Markdown text from the heading to the next
// heading of the same or a higher level.
func section(t *testing.T, doc, heading string) string {
	t.Helper()
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("no heading %q", heading)
	}
	rest := doc[i+1+len(heading):]
	level := strings.Count(strings.Fields(heading)[0], "#")
	for _, m := range regexp.MustCompile(`(?m)^#{1,6} `).FindAllStringIndex(rest, -1) {
		if strings.Count(rest[m[0]:m[1]], "#") <= level {
			return rest[:m[0]]
		}
	}
	return rest
}

// pathRE finds the package paths a doc names in back-quotes.
var pathRE = regexp.MustCompile("`((?:cmd|emulator|internal|examples)(?:/[A-Za-z0-9_.-]+)*)/?`")

// namedPaths lists the package-like paths a text names in back-quotes.
func namedPaths(text string) map[string]bool {
	named := make(map[string]bool)
	for _, m := range pathRE.FindAllStringSubmatch(text, -1) {
		named[m[1]] = true
	}
	return named
}

// checkNamesEveryPackage fails for each package of the module the text
// does not name, and for each path it names that is neither a package nor
// a directory of the repository.
func checkNamesEveryPackage(t *testing.T, where, text string) {
	t.Helper()
	pkgs := modulePackages(t)
	named := namedPaths(text)
	for _, p := range sortedKeys(pkgs) {
		if p != "" && !named[p] {
			t.Errorf("%s does not name the package `%s`: add a row for it", where, p)
		}
	}
	root := testfiles.Root(t)
	for _, p := range sortedKeys(named) {
		if _, ok := pkgs[p]; ok {
			continue
		}
		if fi, err := os.Stat(filepath.Join(root, p)); err != nil || !fi.IsDir() {
			t.Errorf("%s names `%s`, which is no package or directory of the repository: update or remove it", where, p)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestREADMELayoutNamesEveryPackage: the README's Layout table lists every
// package `go list ./...` shows, and nothing that is not there.
func TestREADMELayoutNamesEveryPackage(t *testing.T) {
	checkNamesEveryPackage(t, "README.md, ## Layout", section(t, readDoc(t, "README.md"), "## Layout"))
}

// TestArchitectureNamesEveryPackage: docs/architecture.md's floor tables
// list every package, and nothing that is not there.
func TestArchitectureNamesEveryPackage(t *testing.T) {
	checkNamesEveryPackage(t, "docs/architecture.md, ## Three floors",
		section(t, readDoc(t, "docs/architecture.md"), "## Three floors"))
}

// importsBlock reads the ```imports block of docs/architecture.md: a line
// per package, "PKG -> IMPORT IMPORT …".
func importsBlock(t *testing.T) map[string][]string {
	t.Helper()
	doc := readDoc(t, "docs/architecture.md")
	start := strings.Index(doc, "```imports\n")
	if start < 0 {
		t.Fatal("docs/architecture.md has no ```imports block")
	}
	body := doc[start+len("```imports\n"):]
	end := strings.Index(body, "```")
	if end < 0 {
		t.Fatal("docs/architecture.md: the ```imports block is not closed")
	}
	graph := make(map[string][]string)
	for n, line := range strings.Split(body[:end], "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		from, to, ok := strings.Cut(line, "->")
		from = strings.TrimSpace(from)
		if !ok || from == "" {
			t.Fatalf("docs/architecture.md, ```imports line %d: %q is not PKG -> IMPORTS", n+1, line)
		}
		if _, dup := graph[from]; dup {
			t.Errorf("docs/architecture.md, ```imports: %s has two lines", from)
		}
		graph[from] = strings.Fields(to)
	}
	return graph
}

// TestArchitectureImportGraphIsTheCode: every arrow of the graph in
// docs/architecture.md is an import the code makes, and every import
// between the module's packages is an arrow there.
func TestArchitectureImportGraphIsTheCode(t *testing.T) {
	code := modulePackages(t)
	doc := importsBlock(t)
	for _, p := range sortedKeys(code) {
		drawn, ok := doc[p]
		if !ok {
			t.Errorf("docs/architecture.md, ```imports: no line for %s; it imports %v", p, code[p])
			continue
		}
		for _, imp := range code[p] {
			if !slices.Contains(drawn, imp) {
				t.Errorf("docs/architecture.md, ```imports: %s imports %s, which its line leaves out", p, imp)
			}
		}
		for _, imp := range drawn {
			if !slices.Contains(code[p], imp) {
				t.Errorf("docs/architecture.md, ```imports: %s -> %s is false: %s does not import it", p, imp, p)
			}
		}
	}
	for _, p := range sortedKeys(doc) {
		if _, ok := code[p]; !ok {
			t.Errorf("docs/architecture.md, ```imports: %s is no package of the module", p)
		}
	}
}

// testRefRE finds a test, benchmark, fuzz target or example named as
// package.Name, with * for every name that begins so.
var testRefRE = regexp.MustCompile("\\b([a-z][a-z0-9]*)\\.((?:Test|Benchmark|Fuzz|Example)[A-Z_][A-Za-z0-9_]*)(\\*)?")

// testFuncs lists, per package name, the test functions of the module's
// _test.go files.
func testFuncs(t *testing.T) map[string][]string {
	t.Helper()
	funcs := make(map[string][]string)
	root := testfiles.Root(t)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := strings.TrimSuffix(f.Name.Name, "_test")
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv == nil {
				funcs[pkg] = append(funcs[pkg], fd.Name.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return funcs
}

// TestDocsNameOnlyTestsThatExist: where the README or a doc names the test
// that shows a behaviour (package.TestName, package.TestPrefix*), that
// test exists in a package of that name.
func TestDocsNameOnlyTestsThatExist(t *testing.T) {
	funcs := testFuncs(t)
	docs, err := filepath.Glob(filepath.Join(testfiles.Root(t), "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, filepath.Join(testfiles.Root(t), "README.md"))
	checked := 0
	for _, p := range docs {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(testfiles.Root(t), p)
		for n, line := range strings.Split(string(data), "\n") {
			for _, m := range testRefRE.FindAllStringSubmatch(line, -1) {
				names, ok := funcs[m[1]]
				if !ok {
					continue // another package (require.TestingT, say)
				}
				checked++
				found := slices.ContainsFunc(names, func(name string) bool {
					return name == m[2] || m[3] == "*" && strings.HasPrefix(name, m[2])
				})
				if !found {
					t.Errorf("%s:%d names %s.%s%s, but package %s has no such test: rename it after the test", rel, n+1, m[1], m[2], m[3], m[1])
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d test names found in the docs: the pattern no longer matches how they name tests", checked)
	}
}

// TestServeDocsProvisioningFileIsWhatTheSiteExpects: the complete file
// docs/serve.md shows a server answering is one the system applies without
// a warning, to the site of examples/pyserver/site.xml (N870, firmware
// 2.35.0, Alice's and Bob's handsets registered): both keep their slots
// and get their SIP accounts.
func TestServeDocsProvisioningFileIsWhatTheSiteExpects(t *testing.T) {
	doc := section(t, readDoc(t, "docs/serve.md"), "## What your server answers")
	start := strings.Index(doc, "```xml\n")
	if start < 0 {
		t.Fatal("docs/serve.md, ## What your server answers: no ```xml block")
	}
	file := doc[start+len("```xml\n"):]
	file = file[:strings.Index(file, "```")]
	if !strings.Contains(doc, "Content-Type: application/xml") {
		t.Error("docs/serve.md, ## What your server answers: the answer's Content-Type is not shown")
	}
	if first := strings.Index(file, "<oper"); first < 0 || !strings.HasPrefix(file[first:], `<oper name="DeleteNotProvisionedHS"/>`) {
		t.Error("docs/serve.md: DeleteNotProvisionedHS is not the file's first oper")
	}

	sys, err := system.New(system.WithProduct("N870"), system.WithFirmware("2.35.0"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ipui := range []string{"029e74a599", "02b6ec8aa5"} {
		if err := sys.AddHandset(system.HandsetSpec{IPUI: ipui, State: system.Registered}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := sys.Apply("serve.md", []byte(file))
	if err != nil {
		t.Fatalf("the file of docs/serve.md is refused: %v", err)
	}
	if res.Warnings != 0 {
		t.Errorf("the file of docs/serve.md earns %d warnings: %v", res.Warnings, sys.FindEvents(system.EventQuery{Type: system.EvWarning}))
	}
	if err := sys.Advance(25 * 3600e9); err != nil {
		t.Fatal(err)
	}
	for ipui, user := range map[string]string{"029e74a599": "1001", "02b6ec8aa5": "1002"} {
		if got := sys.SlotState(ipui); got != system.Registered {
			t.Errorf("slot %s is %s a day after the file of docs/serve.md, want Registered", ipui, got)
		}
		if got, _ := sys.Setting("SipAccount." + ipui + ".UserName"); got != user {
			t.Errorf("SipAccount.%s.UserName = %q, want %q", ipui, got, user)
		}
	}
}

package house_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the most lines a production function may take, from its
// func line to its closing brace.
const maxFuncLines = 80

// TestNoFunctionIsLongerThan80Lines: no function or method with a body in
// a production file of any of the module's packages takes more than 80
// lines. Tests are not held to it.
func TestNoFunctionIsLongerThan80Lines(t *testing.T) {
	root, pkgs := listPackages(t)
	fset := token.NewFileSet()
	var long []string
	for _, p := range pkgs {
		for _, path := range p.sources() {
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatalf("parsing %s: %v", path, err)
			}
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				from, to := fset.Position(fd.Pos()), fset.Position(fd.End())
				if n := to.Line - from.Line + 1; n > maxFuncLines {
					rel, err := filepath.Rel(root, from.Filename)
					if err != nil {
						rel = from.Filename
					}
					long = append(long, fmt.Sprintf("%s:%d: %s is %d lines", filepath.ToSlash(rel), from.Line, funcName(fd), n))
				}
			}
		}
	}
	if len(long) > 0 {
		t.Errorf("a production function takes at most %d lines, from its func line to its closing brace:\n  %s\n"+
			"Split each into well-named functions that each own one part of its work.",
			maxFuncLines, strings.Join(long, "\n  "))
	}
}

// funcName names a function as Go's tools do: F, T.M or (*T).M.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	typ := fd.Recv.List[0].Type
	star := false
	if s, ok := typ.(*ast.StarExpr); ok {
		typ, star = s.X, true
	}
	switch g := typ.(type) { // a generic type's parameters are left out
	case *ast.IndexExpr:
		typ = g.X
	case *ast.IndexListExpr:
		typ = g.X
	}
	name := "?"
	if id, ok := typ.(*ast.Ident); ok {
		name = id.Name
	}
	if star {
		return "(*" + name + ")." + fd.Name.Name
	}
	return name + "." + fd.Name.Name
}

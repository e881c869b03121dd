package dectsimtest_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbeddingDocSnippetsAreCompiledCode keeps docs/embedding.md honest:
// every ```go block in it must declare at least one function, and each of
// its top-level function signature lines must appear in a _test.go file
// of the repository (an Example, or the worked example's test), so a
// snippet cannot drift away from code that compiles and runs.
func TestEmbeddingDocSnippetsAreCompiledCode(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "embedding.md"))
	if err != nil {
		t.Fatal(err)
	}

	// Every line of every _test.go file, with runs of blanks made one space.
	known := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			known[normalize(line)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	blocks := goBlocks(string(doc))
	if len(blocks) == 0 {
		t.Fatal("docs/embedding.md has no ```go block")
	}
	for i, b := range blocks {
		var sigs []string
		for _, line := range strings.Split(b, "\n") {
			if strings.HasPrefix(line, "func ") {
				sigs = append(sigs, line)
			}
		}
		if len(sigs) == 0 {
			t.Errorf("```go block %d of docs/embedding.md declares no function: show a whole function from an Example or test", i+1)
		}
		for _, s := range sigs {
			if !known[normalize(s)] {
				t.Errorf("```go block %d of docs/embedding.md: %q is in no _test.go file; copy the snippet from its Example", i+1, s)
			}
		}
	}
}

// goBlocks returns the bodies of the ```go fenced blocks of a Markdown text.
func goBlocks(md string) []string {
	var blocks []string
	var cur []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		fence := strings.TrimSpace(line)
		switch {
		case !in && fence == "```go":
			in, cur = true, nil
		case in && fence == "```":
			in = false
			blocks = append(blocks, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return blocks
}

func normalize(line string) string { return strings.Join(strings.Fields(line), " ") }

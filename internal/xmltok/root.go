package xmltok

// What kind of XML document a file is, from its root element, so the
// commands can pick the scenarios or provisioning files out of a directory
// that holds other XML too (a JUnit report, say).

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dectsim/dectsim/internal/textio/fsread"
)

// rootPrefixBytes is how much of a file rootName reads to find its root element:
// enough for a declaration, comments and a doctype before it.
const rootPrefixBytes = 64 << 10

// rootName returns the local name of the root element of the XML document in
// the file at path. ok is false when it cannot tell: the file cannot be
// read, or no start tag is reached in its first rootPrefixBytes bytes before
// the XML stops being well-formed. A caller skips a file only when ok is
// true and the name is not the one it wants, so a broken file is still
// read and reported.
func rootName(path string) (name string, ok bool) {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return "", false // a pipe or a device is not opened: it could block
	}
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	data, err := fsread.Prefix(f, rootPrefixBytes)
	if err != nil {
		return "", false
	}
	return rootOf(data)
}

// rootOf is rootName for a document in memory (or its beginning).
func rootOf(data []byte) (name string, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = CharsetReader
	for {
		tok, err := d.RawToken()
		if err != nil {
			return "", false
		}
		if se, isStart := tok.(xml.StartElement); isStart {
			return se.Name.Local, true
		}
	}
}

// rootIs reports whether the file at path should be read as a document whose
// root is want: true when its root is want or cannot be told.
func rootIs(path, want string) bool {
	name, ok := rootName(path)
	return !ok || name == want
}

// FilesWithRoot lists the regular *.xml files directly in dir (symbolic links
// followed) whose root is want or cannot be told, sorted: the documents
// of that kind a directory stands for. Pipes, devices and subdirectories
// are left out.
func FilesWithRoot(dir, want string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".xml") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if rootIs(p, want) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

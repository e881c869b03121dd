package autoprov

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/dectsim/dectsim/emulator/system"
	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/xmltok"
)

// The provisioning version 1.0 three-file chain (Gigaset wiki, the N870
// parameter list and file hierarchy):
//
//	provisioning.xml   <provisioning version="1.0" productID="e2">
//	                     <category type="nvm" url=".../nvm/updates.xml"/>
//	nvm/updates.xml    <nvm version="1.0" productID="e2">
//	                     <file version="..." url=".../configuration.xml"/>
//	configuration.xml  <settings version="1.0" productID="e2" [macAddress]>
//	                     <param name value/>...
//
// The fetcher follows it and applies the params of every configuration
// file as one document. Decisions where the sources are silent:
//   - every file listed is fetched on every check (the device may compare
//     the version attribute with what it has; the model does not);
//   - a category of type "firmware" names a file
//     <firmware version="1.0" productID="e2"><file version url/></firmware>,
//     whose files are offered like those of a version 1.1 <firmware>;
//     other categories ("custom") are ignored with a warning;
//   - provisioning.xml must carry productID="e2" (the rule for every
//     document); a later file may omit productID but may not name another;
//   - a macAddress other than the system's is applied with a warning;
//   - relative URLs resolve against the URL of the file that holds them.
//
// Positions of the params point into their configuration file, whose URL
// names the assembled document.

// maxChainDocs bounds how many files one chain may pull in.
const maxChainDocs = 32

// node is one element of a chain file.
type node struct {
	name   string
	attrs  []attr // the attributes without a prefix
	pos    provfile.Pos
	parent int // index of the parent node, -1 for the root
}

type attr struct{ name, value string }

func (n *node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}

// nodeReader collects the elements of a chain file from xmltok.
type nodeReader struct {
	nodes []node
	open  []int
}

func (r *nodeReader) StartElement(t *xmltok.Start) {
	n := node{name: t.Name, pos: t.Pos, parent: -1}
	if len(r.open) > 0 {
		n.parent = r.open[len(r.open)-1]
	}
	for i := range t.Attrs {
		if t.Attrs[i].Space == "" {
			n.attrs = append(n.attrs, attr{t.Attrs[i].Name, t.Value(i)})
		}
	}
	r.nodes = append(r.nodes, n)
	r.open = append(r.open, len(r.nodes)-1)
}

func (r *nodeReader) EndElement(int) { r.open = r.open[:len(r.open)-1] }

// readChainFile reads every element of a chain file, with its position,
// through the tokenizer and within the limits of a provisioning document.
// It returns at least the root element, or an *xmltok.Error.
func readChainFile(data []byte, lim provfile.Limits) ([]node, error) {
	r, err := xmltok.Read(data, lim, func() *nodeReader { return &nodeReader{} })
	if err != nil {
		return nil, err
	}
	return r.nodes, nil
}

// chain assembles the documents of one version 1.0 chain.
type chain struct {
	s     *session
	res   *result
	fetch func(*url.URL) (*doc, *failure)
	lim   provfile.Limits // for each file, and for all files together
	file  *provfile.File
	docs  int
	named bool // file.Name is a configuration file's URL
	trail []string
	// bytes and elems count all files read so far.
	bytes, elems int
}

// followChain follows the chain when res.doc is its first file, and leaves
// any other document to the system.
func (s *session) followChain(res *result) {
	s.assemble(res, s.get, provfile.DefaultLimits)
}

// assemble follows the chain whose first file is res.doc, getting the
// other files with fetch. lim bounds each file and the files together.
func (s *session) assemble(res *result, fetch func(*url.URL) (*doc, *failure), lim provfile.Limits) {
	d := res.doc
	if !bytes.Contains(d.body, []byte("<category")) {
		return
	}
	nodes, err := readChainFile(d.body, lim)
	if err != nil || nodes[0].name != "provisioning" || !hasChild(nodes, 0, "category") {
		return // not a chain: the system judges it as any document
	}
	c := &chain{s: s, res: res, fetch: fetch, lim: lim, docs: 1, trail: []string{d.url}}
	root := &nodes[0]
	if !c.productID(d.url, root, true) || !c.count(d, nodes) {
		return
	}
	version, _ := root.attr("version")
	c.file = &provfile.File{Name: d.url, Pos: root.pos, Version: version, ProductID: "e2", HasProductID: true}
	if !c.categories(d, nodes) {
		return
	}
	params := 0
	for _, it := range c.file.Items {
		if it.Kind == provfile.ParamItem {
			params++
		}
	}
	res.file = c.file
	res.chain = fmt.Sprintf("followed the version 1.0 chain %s (%d files, %d params)", strings.Join(c.trail, " -> "), c.docs, params)
}

// categories follows the <category> elements of provisioning.xml.
func (c *chain) categories(d *doc, nodes []node) bool {
	base, _ := url.Parse(d.url)
	for i := range nodes {
		n := &nodes[i]
		if n.parent != 0 {
			continue
		}
		if n.name != "category" {
			c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("unknown element <%s> inside <provisioning> is ignored", n.name))
			continue
		}
		typ, _ := n.attr("type")
		loc, _ := n.attr("url")
		if strings.TrimSpace(loc) == "" {
			c.note(d.url, n.pos, "chain-category", fmt.Sprintf("<category type=%q> has no url; ignored", typ))
			continue
		}
		switch typ {
		case "nvm", "firmware":
		default:
			c.note(d.url, n.pos, "chain-category", fmt.Sprintf("<category type=%q> is not modelled; ignored", typ))
			continue
		}
		ref, ok := c.resolve(base, loc)
		if !ok {
			return false
		}
		if typ == "nvm" && !c.nvm(ref) || typ == "firmware" && !c.firmware(ref) {
			return false
		}
	}
	return true
}

// count adds a file to the chain's totals and refuses the chain when its
// files together exceed the limits of one document: the system applies
// them as one.
func (c *chain) count(d *doc, nodes []node) bool {
	c.bytes += len(d.body)
	c.elems += len(nodes)
	switch {
	case c.bytes > c.lim.MaxBytes:
		off := c.lim.MaxBytes - (c.bytes - len(d.body))
		c.reject(d.url, xmltok.LineCol(d.body, off), "limit",
			fmt.Sprintf("the files of the version 1.0 chain are larger together than the limit MaxBytes=%d bytes of one document", c.lim.MaxBytes))
		return false
	case c.elems > c.lim.MaxElements:
		n := nodes[c.lim.MaxElements-(c.elems-len(nodes))]
		c.reject(d.url, n.pos, "limit",
			fmt.Sprintf("the files of the version 1.0 chain hold more than %d elements together (the limit MaxElements of one document)", c.lim.MaxElements))
		return false
	}
	return true
}

func hasChild(nodes []node, parent int, name string) bool {
	for i := range nodes {
		if nodes[i].parent == parent && nodes[i].name == name {
			return true
		}
	}
	return false
}

func (c *chain) note(file string, p provfile.Pos, code, msg string) {
	if file != c.file.Name {
		msg = fmt.Sprintf("%s (in %s at %s)", msg, file, p)
	}
	c.file.Notes = append(c.file.Notes, provfile.Note{Pos: p, Code: code, Msg: msg})
}

func (c *chain) resolve(base *url.URL, loc string) (*url.URL, bool) {
	ref, err := base.Parse(strings.TrimSpace(loc))
	if err == nil {
		_, err = parseHTTPURL(ref.String())
	}
	if err != nil {
		c.res.fail = &failure{reason: ReasonBadURL,
			detail: fmt.Sprintf("version 1.0 chain: %s names the unusable URL %q", base, loc)}
		return nil, false
	}
	if ref.User != nil {
		c.s.takeUserinfo(ref)
	}
	return ref, true
}

// reject records the chain file the system refuses; nothing is applied.
func (c *chain) reject(file string, p provfile.Pos, code, msg string) {
	c.res.reject = &system.Event{Type: system.EvProvisioningRejected, File: file, Line: p.Line, Col: p.Col, Reason: code, Detail: msg}
	c.res.chain = "version 1.0 chain " + strings.Join(c.trail, " -> ")
}

// productID applies the system's rule: "e2" only. A file after
// provisioning.xml may leave it out.
func (c *chain) productID(file string, root *node, required bool) bool {
	v, has := root.attr("productID")
	switch {
	case has && v == "e2":
		return true
	case !has && !required:
		return true
	case !has:
		c.reject(file, root.pos, "product-id", fmt.Sprintf("the <%s> element has no productID; this system accepts only productID=\"e2\"", root.name))
	default:
		c.reject(file, root.pos, "product-id", fmt.Sprintf("productID is %q; this system accepts only \"e2\"", v))
	}
	return false
}

// get fetches one file of the chain and checks its root element.
func (c *chain) get(u *url.URL, root string) (*doc, []node, bool) {
	if c.docs >= maxChainDocs {
		c.reject(redact(u), provfile.Pos{Line: 1, Col: 1}, "limit",
			fmt.Sprintf("the version 1.0 chain names more than %d files", maxChainDocs))
		return nil, nil, false
	}
	c.docs++
	d, fail := c.fetch(u)
	if fail != nil {
		fail.detail = "version 1.0 chain: " + fail.detail
		c.res.fail = fail
		return nil, nil, false
	}
	c.trail = append(c.trail, d.url)
	nodes, err := readChainFile(d.body, c.lim)
	if err != nil {
		c.rejectXML(d.url, err)
		return nil, nil, false
	}
	if nodes[0].name != root {
		c.reject(d.url, nodes[0].pos, "not-provisioning",
			fmt.Sprintf("root element is <%s>; the version 1.0 chain expects <%s> here", nodes[0].name, root))
		return nil, nil, false
	}
	if !c.productID(d.url, &nodes[0], false) || !c.count(d, nodes) {
		return nil, nil, false
	}
	return d, nodes, true
}

// rejectXML refuses a chain file that the tokenizer refuses, as the
// system refuses such a provisioning document.
func (c *chain) rejectXML(file string, err error) {
	xe, ok := err.(*xmltok.Error)
	if !ok {
		xe = &xmltok.Error{Pos: provfile.Pos{Line: 1, Col: 1}, Msg: err.Error()}
	}
	if xe.Limit != "" {
		c.reject(file, xe.Pos, "limit", xe.Msg)
		return
	}
	c.reject(file, xe.Pos, "xml-syntax", "not well-formed XML: "+xe.Msg)
}

// nvm follows nvm/updates.xml to its configuration files.
func (c *chain) nvm(u *url.URL) bool {
	d, nodes, ok := c.get(u, "nvm")
	if !ok {
		return false
	}
	base, _ := url.Parse(d.url)
	for i := range nodes {
		n := &nodes[i]
		if n.parent != 0 {
			continue
		}
		loc, _ := n.attr("url")
		if n.name != "file" || strings.TrimSpace(loc) == "" {
			c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("<%s> inside <nvm> of the version 1.0 chain is ignored (expected <file version url>)", n.name))
			continue
		}
		ref, ok := c.resolve(base, loc)
		if !ok || !c.configuration(ref) {
			return false
		}
	}
	return true
}

// configuration reads a <settings> file into the assembled document.
func (c *chain) configuration(u *url.URL) bool {
	d, nodes, ok := c.get(u, "settings")
	if !ok {
		return false
	}
	root := &nodes[0]
	if !c.named {
		c.named = true
		c.file.Name, c.file.Pos, c.file.NVMPos = d.url, root.pos, root.pos
	}
	if m, has := root.attr("macAddress"); has {
		if nm, err := system.NormalizeMAC(m); err != nil || nm != c.s.mac {
			c.note(d.url, root.pos, "mac-address", fmt.Sprintf("configuration file for MAC %q applied to the system with MAC %s", m, c.s.mac))
		}
	}
	operOf := make(map[int]int) // node index of an oper -> its index in Items
	for i := range nodes {
		n := &nodes[i]
		switch {
		case n.parent == 0 && (n.name == "param" || n.name == "oper"):
			it := provfile.Item{Kind: provfile.ParamItem, Pos: n.pos}
			if n.name == "oper" {
				it.Kind = provfile.OperItem
			}
			it.Name, it.HasName = n.attr("name")
			it.Value, it.HasValue = n.attr("value")
			c.file.Items = append(c.file.Items, it)
			if it.Kind == provfile.OperItem {
				operOf[i] = len(c.file.Items) - 1
			}
		case n.parent == 0:
			c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("unknown element <%s> inside <settings> is ignored", n.name))
		case n.parent > 0:
			k, isOper := operOf[n.parent]
			if isOper && n.name == "param" {
				p := provfile.Param{Pos: n.pos}
				p.Name, p.HasName = n.attr("name")
				p.Value, p.HasValue = n.attr("value")
				c.file.Items[k].Params = append(c.file.Items[k].Params, p)
			} else if nodes[n.parent].parent == 0 {
				c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("unknown element <%s> inside <%s> is ignored", n.name, nodes[n.parent].name))
			}
		}
	}
	return true
}

// firmware reads a firmware update file of the chain.
func (c *chain) firmware(u *url.URL) bool {
	d, nodes, ok := c.get(u, "firmware")
	if !ok {
		return false
	}
	if c.file.Firmware == nil {
		c.file.Firmware = &provfile.Firmware{Pos: nodes[0].pos}
	}
	base, _ := url.Parse(d.url)
	for i := range nodes {
		n := &nodes[i]
		if n.parent != 0 {
			continue
		}
		if n.name != "file" {
			c.note(d.url, n.pos, "unknown-element", fmt.Sprintf("unknown element <%s> inside <firmware> is ignored", n.name))
			continue
		}
		v, _ := n.attr("version")
		loc, _ := n.attr("url")
		if ref, err := base.Parse(strings.TrimSpace(loc)); err == nil && loc != "" {
			loc = redact(ref)
		}
		c.file.Firmware.Files = append(c.file.Firmware.Files, provfile.FirmwareFile{Pos: n.pos, Version: v, URL: loc})
	}
	return true
}

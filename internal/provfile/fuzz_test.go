package provfile_test

import (
	"errors"
	"os"
	"testing"

	"github.com/dectsim/dectsim/internal/provfile"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// FuzzParse holds the reader to its promise for bad input: no input
// panics, and every refusal is an *Error that says where.
func FuzzParse(f *testing.F) {
	for _, path := range testfiles.Seeds(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		decl + `<provisioning version="1.1" productID="e2"><nvm><param name="a" value="1"/>-->` +
			`<!-- <param name="b" value="2"/> --><oper value="00001" name="add_hs">` + "\n\n" +
			`<param name="hs.RegStatus" value="ToReg"/></oper></nvm></provisioning>`,
		"\xEF\xBB\xBF<provisioning version=\"1.1\" productID=\"e2\"/>",
		"<provisioning><nvm></provisioning>",
		"<provisioning/><provisioning/>",
		"<provisioning><nvm><oper>",
		"<provisioning><custom/><param name='x'/><firmware><file version='x.xx'/></firmware><nvm/><nvm/></provisioning>",
		"<provisioning version='1.0'><category type='nvm' url='u'/></provisioning>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><ProviderFrame><a v='\xe9&x'/></ProviderFrame>",
		"<oper name='update_dm'/>",
	} {
		f.Add([]byte(s))
	}
	codes := map[string]bool{"xml-syntax": true, "not-provisioning": true, "limit": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := provfile.ParseWith("fuzz.xml", data, provfile.Options{Limits: provfile.Limits{MaxDepth: 16, MaxElements: 10000}})
		if err != nil {
			var pe *provfile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *provfile.Error", err, err)
			}
			if pe.Pos.Line < 1 || pe.Pos.Col < 1 || !codes[pe.Code] || pe.Msg == "" || pf != nil {
				t.Fatalf("bad refusal: %#v", pe)
			}
			return
		}
		if pf.Pos.Line < 1 {
			t.Fatalf("root without a position")
		}
		for _, it := range pf.Items {
			if it.Pos.Line < 1 || it.Pos.Col < 1 {
				t.Fatalf("item without a position: %#v", it)
			}
		}
	})
}

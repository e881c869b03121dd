package scenario

import "testing"

func testOptions(t *testing.T) Options { return Options{} }

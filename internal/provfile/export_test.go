package provfile

// ParseStrict reads data with the strict path alone, for benchmarks.
func ParseStrict(name string, data []byte) (*File, error) {
	return parseStrict(name, data, Pos{Line: 1, Col: 1}, fillLimits(Limits{}))
}

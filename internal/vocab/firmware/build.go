package firmware

import (
	"fmt"
	"hash/fnv"
)

// buildHashes are the build hashes of released Nx70 images, as their file
// names (Gigaset-Nx70-V2.65.0-build.8504c90.bin, served by a public PBX
// plugin) and the devices' User-Agents show them.
var buildHashes = map[Version]string{
	{2, 65, 0}: "8504c90",
	{2, 62, 1}: "d1d6a22",
	{2, 49, 1}: "0fc46d7",
	{2, 48, 0}: "4fa8a54",
	{2, 39, 0}: "1ffa429",
	{2, 17, 2}: "b14e3f1",
	{2, 14, 0}: "74f2b0e",
	{2, 11, 0}: "a546b91",
}

// BuildHash returns the build hash a device running v reports after
// "+build." in its User-Agent. Servers that parse the User-Agent see the
// real hash for released versions; any other version gets a stable made-up
// one (7 hex digits derived from the version string with FNV-1a), so the
// string keeps the real shape and stays the same from run to run.
func BuildHash(v Version) string {
	if h, ok := buildHashes[v]; ok {
		return h
	}
	f := fnv.New32a()
	_, _ = f.Write([]byte(v.String()))
	return fmt.Sprintf("%07x", f.Sum32()&0xfffffff)
}

// UserAgent is the User-Agent a device of model (the product's, e.g.
// "N870 IP PRO") running v sends, with mac written as it is given (12
// upper-case hex digits on the wire): its HTTP fetches and its SIP
// REGISTERs carry the same.
func UserAgent(model string, v Version, mac string) string {
	return "Gigaset " + model + "/83.V" + v.String() + "+build." + BuildHash(v) + ";" + mac
}

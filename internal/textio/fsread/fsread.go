// Package fsread is the one way the project reads a file named by a user:
// a scenario, a provisioning file, a file a scenario serves. Every read
// stops one byte past its limit whatever the path names, so a device such
// as /dev/zero or a file that grows while it is read cannot exhaust
// memory; os.Stat sizes are not trusted (they are 0 for devices).
package fsread

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// TooLargeError is a file over the reader's limit.
type TooLargeError struct {
	Path string
	// Size is the file's size when the file system knows it, else -1
	// (a device or a pipe, of which only Max+1 bytes were read).
	Size int64
	Max  int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s is larger than the limit of %d bytes", e.Path, e.Max)
	}
	return fmt.Sprintf("%s is %d bytes; the limit is %d", e.Path, e.Size, e.Max)
}

// ErrDirectory is returned for a path that names a directory.
var ErrDirectory = errors.New("is a directory, not a file")

// ReadFile reads the file at path, at most max bytes. A larger file is a
// *TooLargeError; a directory is ErrDirectory (wrapped in an
// *fs.PathError). Devices and named pipes are read through the same limit.
func ReadFile(path string, max int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: ErrDirectory}
	}
	size := int64(-1)
	if fi.Mode().IsRegular() {
		size = fi.Size()
		if size > max {
			return nil, &TooLargeError{Path: path, Size: size, Max: max}
		}
	}
	return readAll(path, fh, size, max)
}

// Prefix reads r up to its end or n bytes, whichever comes first, with the
// same bounded allocation as Read; reading more is not an error here (the
// caller judges a full prefix, e.g. as a document over its limit).
func Prefix(r io.Reader, n int64) ([]byte, error) {
	return readAll("", io.LimitReader(r, n), -1, n)
}

// Read reads r, at most max bytes; name says what r is in errors.
func Read(name string, r io.Reader, max int64) ([]byte, error) {
	return readAll(name, r, -1, max)
}

// readAll reads r to its end, at most max+1 bytes. A regular file of known
// size is read into one buffer of that size; a stream of unknown length
// is read into chunks that grow to 1 MiB and joined once at its end, so
// reading n bytes allocates about 2n (a stream over the limit: about
// max, since nothing is joined) instead of the 5n that growing one slice
// costs.
func readAll(name string, r io.Reader, size, max int64) ([]byte, error) {
	lr := io.LimitReader(r, max+1)
	if size >= 0 && size <= max {
		// One byte more than the size, to see the end (or a growing file).
		buf := make([]byte, 0, size+1)
		for {
			if len(buf) == cap(buf) {
				return readChunks(name, lr, buf, max)
			}
			n, err := lr.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				return buf, nil
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return readChunks(name, lr, nil, max)
}

const (
	firstChunk = 512
	maxChunk   = 1 << 20
)

// readChunks reads lr (already limited to max+1 bytes) to its end after
// the bytes in first.
func readChunks(name string, lr io.Reader, first []byte, max int64) ([]byte, error) {
	var chunks [][]byte
	total := int64(len(first))
	if len(first) > 0 {
		chunks = append(chunks, first)
	}
	size := firstChunk
	for {
		buf := make([]byte, 0, size)
		for len(buf) < cap(buf) {
			n, err := lr.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			total += int64(n)
			if err == io.EOF {
				chunks = append(chunks, buf)
				return join(name, chunks, total, max)
			}
			if err != nil {
				return nil, err
			}
		}
		chunks = append(chunks, buf)
		if size < maxChunk {
			size *= 2
		}
	}
}

func join(name string, chunks [][]byte, total, max int64) ([]byte, error) {
	if total > max {
		// A regular file that grew while it was read reports its new size.
		return nil, &TooLargeError{Path: name, Size: -1, Max: max}
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

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
	data, err := readAll("", io.LimitReader(r, n), -1, n)
	return data, err
}

// Read reads r, at most max bytes; name says what r is in errors.
func Read(name string, r io.Reader, max int64) ([]byte, error) {
	return readAll(name, r, -1, max)
}

// readAll reads at most max+1 bytes. With a known size it reads into one
// buffer of that size; a stream is read in chunks and joined once, so the
// bytes allocated stay near twice what was read (append's growth would
// allocate about five times as much).
func readAll(name string, r io.Reader, size, max int64) ([]byte, error) {
	lr := io.LimitReader(r, max+1)
	if size >= 0 && size < max {
		buf := make([]byte, 0, size+1)
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)] // the file grew
			}
			n, err := lr.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				return checkMax(name, buf, max)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	var chunks [][]byte
	total := 0
	next := 64 << 10
	for {
		chunk := make([]byte, next)
		n, err := io.ReadFull(lr, chunk)
		chunks = append(chunks, chunk[:n])
		total += n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if next < 4<<20 {
			next *= 2
		}
	}
	if int64(total) > max {
		return nil, &TooLargeError{Path: name, Size: -1, Max: max}
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

func checkMax(name string, buf []byte, max int64) ([]byte, error) {
	if int64(len(buf)) > max {
		// A regular file that grew while it was read.
		return nil, &TooLargeError{Path: name, Size: -1, Max: max}
	}
	return buf, nil
}

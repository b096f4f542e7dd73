package store

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
)

// idEncoding is lower-case Crockford base32: URL-safe, no I/L/O/U, and its
// alphabet is in ASCII order, so IDs sort like the bytes they encode.
var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a new 16-character ID: 48 bits of Unix milliseconds then 32
// random bits, in lower-case Crockford base32. IDs made in later milliseconds
// sort after earlier ones; IDs are URL-safe. Use it for scan IDs.
func NewID() string { return newIDAt(time.Now()) }

func newIDAt(t time.Time) string {
	var b [10]byte
	ms := uint64(t.UnixMilli())
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	rand.Read(b[6:]) // never fails (crypto/rand documents it)
	return idEncoding.EncodeToString(b[:])
}

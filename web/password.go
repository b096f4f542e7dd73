package web

import (
	"golang.org/x/crypto/bcrypt"
)

// dummyHash is a bcrypt hash no password matches in practice; comparing
// against it makes a login for an unknown user take as long as a wrong
// password for a known one. It is made on first use.
func (h *handler) dummyHash() string {
	h.dummy.once.Do(func() {
		b, _ := bcrypt.GenerateFromPassword([]byte(randomToken(24)), bcrypt.DefaultCost)
		h.dummy.hash = string(b)
	})
	return h.dummy.hash
}

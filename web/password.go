package web

import (
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"adscan"
)

// Password length limits, in bytes. bcrypt reads at most 72 bytes, so a
// longer password would be silently cut; it is refused instead.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 72
)

// HashPassword checks a new password and returns its bcrypt hash for
// adscan.User.PasswordHash. It returns an EINVALID error if the password is
// shorter than 8 or longer than 72 bytes or not UTF-8.
func HashPassword(password string) (string, error) {
	if err := checkNewPassword(password); err != nil {
		return "", err
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return "", adscan.Errorf(adscan.EINVALID, "password: %v", err)
	}
	return string(b), nil
}

func checkNewPassword(p string) error {
	switch {
	case len(p) < MinPasswordLen:
		return adscan.Errorf(adscan.EINVALID, "password is too short: want at least %d bytes", MinPasswordLen)
	case len(p) > MaxPasswordLen:
		return adscan.Errorf(adscan.EINVALID, "password is too long: want at most %d bytes", MaxPasswordLen)
	case !utf8.ValidString(p):
		return adscan.Errorf(adscan.EINVALID, "password is not valid UTF-8")
	}
	return nil
}

// passwordMatches reports whether password matches a bcrypt hash.
func passwordMatches(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

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

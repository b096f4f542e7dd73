package web

import (
	"net/http"

	"adscan"
)

// evidenceKeyResponse is GET /api/evidence/key.
type evidenceKeyResponse struct {
	Algorithm string `json:"algorithm"`
	// PublicKey is base64 DER SubjectPublicKeyInfo, as `adscan evidence
	// key` prints it and `adscan evidence verify --key` takes it.
	PublicKey string `json:"public_key"`
}

// showEvidenceKey returns the public key that signs the deployment's
// evidence packages; 404 when this server was not given it.
func (h *handler) showEvidenceKey(w http.ResponseWriter, r *http.Request) error {
	if h.evidenceKey == "" {
		return adscan.Errorf(adscan.ENOTFOUND, "this server was not given the evidence signing key (serve --signing-key FILE or $ADSCAN_SIGNING_KEY)")
	}
	h.writeJSON(w, r, http.StatusOK, evidenceKeyResponse{Algorithm: "Ed25519", PublicKey: h.evidenceKey})
	return nil
}

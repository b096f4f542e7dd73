// Package evidence makes and checks the signed evidence package of a case:
// a WACZ 1.1.1 file (a ZIP that web-archive tools such as ReplayWeb.page
// open) signed with the deployment's Ed25519 key.
//
// A package holds:
//
//	archive/data.warc.gz     WARC/1.1, one gzip member per record (ZIP STORE):
//	                         warcinfo; for each capture its response record
//	                         as the crawler stored it and a request record
//	                         reconstructed from its URL, and for a page
//	                         rendered in a browser the resource record of
//	                         its rendered DOM (urn:dom:URL) and the response
//	                         records of its subresources (scripts, XHR and
//	                         fetch, styles, images: what replay needs to
//	                         run its scripts); the screenshot as a
//	                         resource record (urn:view:URL, image/png) when
//	                         there is one; a metadata record
//	                         (urn:adscan:case:ID, application/json, Findings)
//	                         with the findings, their evidence spans, the
//	                         captures' text and the lexicons' names,
//	                         versions and digests
//	indexes/index.cdxj       one line per record but requests and warcinfo:
//	                         SURT key (as warcio.js makes it), 14-digit
//	                         time, JSON with url, mime, status, digest,
//	                         offset and length of the gzip member, and
//	                         recordDigest (SHA-256 of that member); sorted
//	pages/pages.jsonl        the captured pages with their text
//	datapackage.json         every file above with "sha256:" hash and bytes
//	datapackage-digest.json  the hash of datapackage.json and signedData
//	                         (see SignedData): the Ed25519 signature of that
//	                         hash, the public key, and optionally an RFC 3161
//	                         timestamp token over the signature
//
// Packages are reproducible: record IDs are name-based UUIDs of their
// content, gzip members and ZIP entries carry no varying time, so the same
// case packaged twice with one key gives the same bytes (a timestamp token
// aside).
//
// Keys are Ed25519, kept as PKCS #8 PEM (ResolveKey: a file, the
// ADSCAN_SIGNING_KEY variable, or generated under a data directory). A
// public key is written and read as the base64 DER SubjectPublicKeyInfo
// (EncodePublicKey), the form the package itself carries.
//
// Verify checks every digest, the signature and the token, and names the
// part that fails.
package evidence

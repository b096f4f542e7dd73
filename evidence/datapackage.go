package evidence

import (
	"archive/zip"
	"fmt"
	"hash/crc32"
	"io"
	"path"
	"strings"
	"time"

	"adscan"
)

// DataPackage is datapackage.json, the package's manifest (a Frictionless
// Data Package as WACZ 1.1.1 asks): every other file with its SHA-256 and
// size, and what the package is.
type DataPackage struct {
	Profile      string     `json:"profile"` // "data-package"
	WACZVersion  string     `json:"wacz_version"`
	Title        string     `json:"title"`
	Description  string     `json:"description"`
	Created      string     `json:"created"` // RFC 3339
	Software     string     `json:"software"`
	MainPageURL  string     `json:"mainPageUrl,omitempty"`
	MainPageDate string     `json:"mainPageDate,omitempty"`
	Resources    []Resource `json:"resources"`
	// Case is the case ID (a property of our own, which the spec allows).
	Case string `json:"adscanCase,omitempty"`
}

// Resource is one file of the package.
type Resource struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Hash  string `json:"hash"` // "sha256:" + hex
	Bytes int64  `json:"bytes"`
}

func newDataPackage(in Input, f *Findings, files []zipFile) DataPackage {
	c := in.Case
	cats := make([]string, len(c.Categories))
	for i, cat := range c.Categories {
		cats[i] = string(cat)
	}
	dp := DataPackage{
		Profile: "data-package", WACZVersion: WACZVersion,
		Title: "adscan case " + c.ID,
		Description: fmt.Sprintf("Evidence of adscan case %s: %s at %s (target %s). "+
			"The WARC holds each capture's response and request (for a page rendered in a browser, also its rendered DOM "+
			"and the responses of its subresources), the screenshot if one was taken, "+
			"and a metadata record (urn:adscan:case:%s) with the findings and their evidence. "+
			"datapackage-digest.json is signed with the deployment's Ed25519 key.",
			c.ID, strings.Join(cats, ", "), c.URL, c.Target, c.ID),
		Created: in.Created.Format(time.RFC3339Nano), Software: in.Software, Case: c.ID,
	}
	for _, ci := range f.Captures {
		if ci.ResponseRecord != "" {
			dp.MainPageURL, dp.MainPageDate = ci.FinalURL, ci.FetchedAt.UTC().Format(time.RFC3339)
			break
		}
	}
	for _, zf := range files {
		dp.Resources = append(dp.Resources, Resource{Name: path.Base(zf.name), Path: zf.name,
			Hash: sha256Digest(zf.data), Bytes: int64(len(zf.data))})
	}
	return dp
}

// zipFile is one file of the package's ZIP.
type zipFile struct {
	name  string
	data  []byte
	store bool // STORE rather than DEFLATE (the WARC: already compressed, read at offsets)
}

// writeZip writes the files as a ZIP, each stamped with the package's
// time. Stored files have their sizes and CRC in the local header (no data
// descriptor), so a reader can take them by offset.
func writeZip(w io.Writer, files []zipFile, modified time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: modified}
		h.ModifiedDate, h.ModifiedTime = msDosTime(modified) // CreateRaw does not set them
		var fw io.Writer
		var err error
		if f.store {
			h.Method = zip.Store
			h.CRC32 = crc32.ChecksumIEEE(f.data)
			h.CompressedSize64, h.UncompressedSize64 = uint64(len(f.data)), uint64(len(f.data))
			fw, err = zw.CreateRaw(h)
		} else {
			fw, err = zw.CreateHeader(h)
		}
		if err == nil {
			_, err = fw.Write(f.data)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return zw.Close()
}

// msDosTime returns the ZIP header's date and time fields of t.
func msDosTime(t time.Time) (date, tm uint16) {
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}

// maxFileBytes bounds each file Verify reads from a package (a ZIP can
// claim any size and inflate to much more than it is).
const maxFileBytes = 1 << 30

// readZip reads every file of a package. It fails only for what is not a
// ZIP; a file that cannot be read whole (over maxFileBytes, a CRC-32 or
// inflate error, a name twice) is a failure naming it, and what could be
// read of it is kept, so that the other checks still say which part is
// wrong.
func readZip(r io.ReaderAt, size int64) (files map[string][]byte, names []string, failures []Failure, err error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, nil, nil, adscan.Errorf(adscan.EINVALID, "not a ZIP file: %v", err)
	}
	files = map[string][]byte{}
	for _, zf := range zr.File {
		if _, dup := files[zf.Name]; dup {
			failures = append(failures, Failure{zf.Name, "is in the ZIP twice; the first is checked"})
			continue
		}
		if zf.UncompressedSize64 > maxFileBytes {
			failures = append(failures, Failure{zf.Name, fmt.Sprintf("%d bytes, over the %d this verifier reads", zf.UncompressedSize64, maxFileBytes)})
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			failures = append(failures, Failure{zf.Name, fmt.Sprintf("cannot be read from the ZIP: %v", err)})
			continue
		}
		// archive/zip checks the file's CRC-32 when it reaches the end.
		data, err := io.ReadAll(io.LimitReader(rc, maxFileBytes))
		rc.Close()
		if err != nil {
			failures = append(failures, Failure{zf.Name, fmt.Sprintf("cannot be read from the ZIP: %v", err)})
		}
		files[zf.Name] = data
		names = append(names, zf.Name)
	}
	return files, names, failures, nil
}

package render

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// glyphsPage shows two CJK characters large, one above the other, on a page
// 3000 px tall. With a CJK font they are a cross and a bar; without one both
// are the same "missing glyph" box.
const glyphsPage = `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; background: #fff; color: #000; }
span { position: absolute; left: 40px; font: 200px/1 sans-serif; }
#cross { top: 40px; } #bar { top: 300px; }
</style></head><body><div style="height: 3000px">
<span id="cross">十</span><span id="bar">一</span>
<p style="position: absolute; top: 600px; left: 40px; font-size: 32px">暑假数学提前学，名校录取率98%</p>
</div></body></html>`

// darkPixels returns the pixels of r darker than mid-grey, as a bitmap.
func darkPixels(img image.Image, r image.Rectangle) []bool {
	var dark []bool
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			dark = append(dark, (cr+cg+cb)/3 < 0x8000)
		}
	}
	return dark
}

// TestScreenshot: the PNG is 1280 px wide and as tall as the page, decodes,
// carries its SHA-256, and shows CJK glyphs (Debian's fonts-noto-cjk), not
// missing-glyph boxes.
func TestScreenshot(t *testing.T) {
	p, s, _ := sharedFixture(t)
	pg, err := p.Open(context.Background(), s.URL+"/glyphs")
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	shot, err := pg.Screenshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("ADSCAN_SCREENSHOTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "render-glyphs.png"), shot.PNG, 0o644)
	}
	img, err := png.Decode(bytes.NewReader(shot.PNG))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(shot.PNG)
	if b := img.Bounds(); b.Dx() != ScreenshotWidth || b.Dy() != 3000 || shot.Width != b.Dx() || shot.Height != b.Dy() {
		t.Errorf("image %v, reported %dx%d, want 1280x3000", b, shot.Width, shot.Height)
	}
	if shot.SHA256 != hex.EncodeToString(sum[:]) || shot.Truncated || shot.PageHeight != 3000 || shot.TakenAt.IsZero() {
		t.Errorf("screenshot %+v", *shot)
	}

	type box struct{ X, Y, W, H int }
	boxes, err := chromedp.Run(pg.ctx, chromedp.Evaluate[map[string]box](`(() => {
		const r = id => { const b = document.getElementById(id).getBoundingClientRect(); return {X: b.x|0, Y: b.y|0, W: b.width|0, H: b.height|0}; };
		return {cross: r("cross"), bar: r("bar")};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	cross, bar := boxes["cross"], boxes["bar"]
	w, h := min(cross.W, bar.W), min(cross.H, bar.H)
	a := darkPixels(img, image.Rect(cross.X, cross.Y, cross.X+w, cross.Y+h))
	b := darkPixels(img, image.Rect(bar.X, bar.Y, bar.X+w, bar.Y+h))
	differ, darkA, darkB := 0, 0, 0
	for i := range a {
		if a[i] != b[i] {
			differ++
		}
		if a[i] {
			darkA++
		}
		if b[i] {
			darkB++
		}
	}
	t.Logf("glyph boxes %dx%d: 十 %d dark pixels, 一 %d, %d differ", w, h, darkA, darkB, differ)
	if darkA == 0 || darkB == 0 || differ < darkA/4 {
		t.Errorf("十 and 一 render alike (%d of %d pixels differ): no CJK font? apt-get install fonts-noto-cjk", differ, len(a))
	}
}

// tallPage is 20000 px tall.
const tallPage = `<!doctype html><body style="margin:0"><div style="height:20000px;background:linear-gradient(#fff,#00f)">长页面</div>`

// TestScreenshotHeightIsCapped: a page taller than MaxScreenshotHeight is
// shot down to the cap and marked truncated.
func TestScreenshotHeightIsCapped(t *testing.T) {
	p, s, _ := sharedFixture(t)
	pg, err := p.Open(context.Background(), s.URL+"/tall")
	if err != nil {
		t.Fatal(err)
	}
	shot, err := pg.Screenshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if shot.Width != ScreenshotWidth || shot.Height != sharedMaxHeight || shot.PageHeight != 20000 || !shot.Truncated {
		t.Errorf("%dx%d of a page %d px tall, truncated %v", shot.Width, shot.Height, shot.PageHeight, shot.Truncated)
	}
	pg.Close()
	if _, err := pg.Screenshot(context.Background()); !errors.Is(err, ErrPageClosed) {
		t.Errorf("screenshot after Close: %v, want ErrPageClosed", err)
	}
}

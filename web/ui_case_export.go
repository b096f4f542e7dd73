package web

import (
	"encoding/csv"
	"net/http"
	"strings"
)

// maxExportCases is the most cases one CSV export holds.
const maxExportCases = 10000

// exportCases writes the cases the queue's filter keeps as CSV (UTF-8
// with a BOM, so spreadsheets read the Chinese), at most maxExportCases,
// a page at a time from the store. Every cell is guarded against
// spreadsheet formulas: crawled URLs and evidence are attacker-controlled.
func (h *handler) exportCases(w http.ResponseWriter, r *http.Request) error {
	f, err := h.caseFilter(r)
	if err != nil {
		return err
	}
	names, err := h.targetNames(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="adscan-cases.csv"`)
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"案件编号", "状态", "违规类别", "页面", "目标网站", "机构名称", "立案时间"})
	f.Limit, f.Offset = 1000, 0
	for n := 0; n < maxExportCases; {
		cases, err := h.store.ListCases(r.Context(), f)
		if err != nil {
			return err // the header is sent; the log has it, the file ends short
		}
		for _, c := range cases {
			var cats []string
			for _, k := range c.Categories {
				cats = append(cats, categoryNames[k])
			}
			cw.Write(guardRow([]string{c.ID, stateNames[c.State], strings.Join(cats, "、"), c.URL, c.Target, names[c.Target], consoleTime(c.CreatedAt)}))
			n++
		}
		if len(cases) < f.Limit {
			break
		}
		f.After = cases[len(cases)-1].Cursor()
	}
	cw.Flush()
	return cw.Error()
}

// guardRow makes each cell safe to open in a spreadsheet: a cell that
// starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, so it is shown as text rather than run as a formula
// (OWASP's CSV injection advice).
func guardRow(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

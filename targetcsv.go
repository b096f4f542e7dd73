package adscan

import (
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// TargetColumns are the columns a targets CSV may have; url is required.
var TargetColumns = []string{"url", "name", "region", "kind", "licence", "max_pages", "max_depth", "render"}

// TargetRow is one good data row of a targets CSV, or a target to save.
type TargetRow struct {
	Line   int
	Target Target
	// Columns are the TargetColumns the row gives (a CSV's header, an API
	// request's fields): saving it over a registered target changes only
	// those, so a file of url,region changes regions and keeps each
	// target's name, licence and limits. nil gives them all.
	Columns []string
}

// RowProblem is what is wrong with one line of a targets CSV: Msg in
// English (the CLI), ZH in 简体中文 (the console).
type RowProblem struct {
	Line    int
	Msg, ZH string
}

// ReadTargetsCSV reads a targets CSV: a header naming some of TargetColumns
// (any order, any case; url required) and one target per row. It returns the
// good rows and a problem per bad row: a URL that is not http(s) with a host
// (or is private, loopback or link-local unless allowPrivate), a limit that
// is not a whole number ≥ 0, too many fields, text that is not UTF-8, a URL
// repeated from an earlier row. URLs are normalised (lower-case host, no fragment, "/" for an empty
// path). The error is for a file that cannot be read as CSV at all: no
// header, a bad header, broken quoting; it names the file and line.
func ReadTargetsCSV(r io.Reader, name string, allowPrivate bool) ([]TargetRow, []RowProblem, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, Errorf(EINVALID, "%s: empty file; want a header line: %s", name, strings.Join(TargetColumns, ",")).
			ZHf("%s 是空文件：第一行应为列名，如 %s。", name, strings.Join(TargetColumns, ","))
	} else if err != nil {
		return nil, nil, csvError(name, err)
	}
	col, bad := targetHeader(header)
	if bad != nil {
		return nil, nil, Errorf(EINVALID, "%s:1: %s", name, bad.Message).ZHf("%s 第 1 行：%s", name, bad.ZH)
	}
	var columns []string // as given, in TargetColumns' order
	for _, c := range TargetColumns {
		if hasKey(col, c) {
			columns = append(columns, c)
		}
	}
	var rows []TargetRow
	var problems []RowProblem
	firstLine := map[string]int{} // normalised URL → line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, problems, nil
		} else if err != nil {
			return nil, nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if blankRecord(rec) {
			continue
		}
		t, bad := parseTargetRecord(rec, header, col, allowPrivate)
		if bad == nil {
			if first, dup := firstLine[t.URL]; dup {
				bad = Errorf(EINVALID, "url %s repeats line %d", t.URL, first).ZHf("网址 %s 与第 %d 行重复。", t.URL, first)
			} else {
				firstLine[t.URL] = line
			}
		}
		if bad != nil {
			problems = append(problems, RowProblem{Line: line, Msg: bad.Message, ZH: bad.ZH})
			continue
		}
		rows = append(rows, TargetRow{Line: line, Target: t, Columns: columns})
	}
}

// targetColumnsZH are the console's Chinese names of the columns, which a
// header may use instead (a regulator's spreadsheet exported as CSV).
var targetColumnsZH = map[string]string{
	"网址": "url", "名称": "name", "区域": "region", "类型": "kind", "登记状态": "licence",
	"最多页数": "max_pages", "最大深度": "max_depth", "抓取方式": "render",
}

// targetValuesZH are the console's Chinese names of the kind, licence and
// render values, taken for the codes in a CSV.
var targetValuesZH = map[string]string{
	"培训机构网站": string(KindInstitution), "网络平台": string(KindPlatform),
	"白名单": string(LicenceWhitelist), "黑名单": string(LicenceBlacklist), "未登记": string(LicenceUnregistered),
	"直接抓取": string(RenderPlain), "浏览器渲染": string(RenderBrowser),
}

// targetHeader maps each known column to its index in the header.
func targetHeader(header []string) (map[string]int, *Error) {
	col := map[string]int{}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, Errorf(EINVALID, "the header is not UTF-8 text (a spreadsheet's GBK export? save it as \"CSV UTF-8\")").
				ZHf("第一行不是 UTF-8 文字（表格软件导出的 GBK？请另存为“CSV UTF-8”）。")
		}
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) // spreadsheets write a BOM
		if k, ok := targetColumnsZH[h]; ok {
			h = k
		}
		known := false
		for _, k := range TargetColumns {
			known = known || h == k
		}
		if !known {
			return nil, Errorf(EINVALID, "unknown column %q; the columns are %s", header[i], strings.Join(TargetColumns, ", ")).
				ZHf("未知的列“%s”；可用的列为 %s，或 %s。", header[i], strings.Join(TargetColumns, ","), targetColumnNamesZH)
		}
		if hasKey(col, h) {
			return nil, Errorf(EINVALID, "column %q appears twice", h).ZHf("列“%s”出现了两次。", header[i])
		}
		col[h] = i
	}
	if !hasKey(col, "url") {
		return nil, Errorf(EINVALID, "no url column in the header %q; the first line names the columns: %s", strings.Join(header, ","), strings.Join(TargetColumns, ",")).
			ZHf("第一行（列名）缺少网址列 url 或 网址；第一行应为列名，如 %s。", strings.Join(TargetColumns, ","))
	}
	return col, nil
}

// targetColumnNamesZH lists the console's Chinese column names
// (targetColumnsZH), in the order of TargetColumns.
var targetColumnNamesZH = func() string {
	var names []string
	for _, col := range TargetColumns {
		var zh []string
		for name, c := range targetColumnsZH {
			if c == col {
				zh = append(zh, name)
			}
		}
		slices.Sort(zh) // one name a column today; in a fixed order if more
		names = append(names, zh...)
	}
	return strings.Join(names, ",")
}()

// csvError is the error for a file that cannot be read as CSV, naming the
// file and line, in English and 简体中文.
func csvError(name string, err error) *Error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return Errorf(EINVALID, "%s: %v", name, err).ZHf("%s 无法读取。", name)
	}
	why := "格式有误"
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		why = "引号不配对"
	case errors.Is(pe.Err, csv.ErrBareQuote):
		why = "未加引号的字段中有引号（字段中的引号须写成两个，并给整个字段加引号）"
	}
	return Errorf(EINVALID, "%s: %v", name, err).ZHf("%s 第 %d 行不是有效的 CSV：%s。", name, pe.Line, why)
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// parseTargetRecord turns one record into a target, or says what is wrong.
func parseTargetRecord(rec, header []string, col map[string]int, allowPrivate bool) (Target, *Error) {
	if len(rec) > len(header) {
		return Target{}, Errorf(EINVALID, "%d fields, but the header has %d columns", len(rec), len(header)).
			ZHf("有 %d 个字段，但第一行只有 %d 列。", len(rec), len(header))
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return Target{}, Errorf(EINVALID, "not UTF-8 text (a spreadsheet's GBK export? save it as \"CSV UTF-8\")").
				ZHf("不是 UTF-8 文字（表格软件导出的 GBK？请另存为“CSV UTF-8”）。")
		}
	}
	field := func(name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			v := strings.TrimSpace(rec[i])
			if code, ok := targetValuesZH[v]; ok && (name == "kind" || name == "licence" || name == "render") {
				return code
			}
			return v
		}
		return ""
	}
	raw := field("url")
	if raw == "" {
		return Target{}, Errorf(EINVALID, "no url").ZHf("缺少网址。")
	}
	t := Target{URL: raw, Name: field("name"), Region: field("region"), Kind: TargetKind(field("kind")), Licence: Licence(field("licence")),
		Render: RenderMode(field("render"))}
	for _, n := range []struct {
		column string
		dst    *int
	}{{"max_pages", &t.MaxPages}, {"max_depth", &t.MaxDepth}} {
		v := field(n.column)
		if v == "" {
			continue
		}
		x, err := strconv.Atoi(v)
		if err != nil || x < 0 {
			return Target{}, Errorf(EINVALID, "%s %q: want a whole number ≥ 0", n.column, v).ZHf("%s“%s”应为不小于 0 的整数。", n.column, v)
		}
		*n.dst = x
	}
	t, err := ParseTarget(t, allowPrivate)
	var e *Error
	if errors.As(err, &e) {
		return Target{}, e
	} else if err != nil {
		return Target{}, Errorf(EINVALID, "%v", err)
	}
	return t, nil
}

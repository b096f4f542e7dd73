//go:build depspin

// Package depspin only exists so `go mod tidy` keeps the pinned dependency set
// while packages that use them are written. It is never built.
package depspin

import (
	_ "github.com/PuerkitoBio/goquery"
	_ "github.com/go-ego/gse"
	_ "github.com/gocolly/colly/v2"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/longbridgeapp/opencc"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/spf13/cobra"
	_ "go.temporal.io/api/workflowservice/v1"
	_ "go.temporal.io/sdk/client"
	_ "go.temporal.io/server/temporal"
	_ "golang.org/x/net/html/charset"
	_ "gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"
)

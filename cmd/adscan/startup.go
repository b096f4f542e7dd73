package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Start-up failures of the long-running commands (worker, serve, dev,
// schedule) are runtime failures, exit status 1, reported on one line that
// names what is wrong: the Temporal address, the namespace, the database
// (never its password), the address in use.

// temporalDialTimeout bounds how long a command waits for Temporal at
// start-up before it says the server is not reachable.
const temporalDialTimeout = 10 * time.Second

// temporalUnreachable says that Temporal at addr did not answer, with the
// shortest cause that still explains why.
// waited is how long the program waited for an answer.
func temporalUnreachable(ctx context.Context, addr string, waited time.Duration, err error) error {
	return fmt.Errorf("Temporal at %s is not reachable: %s", addr, temporalCause(ctx, addr, waited, err))
}

// grpcDialCause is the network error inside a gRPC connection error.
var grpcDialCause = regexp.MustCompile(`Error while dialing: ([^"]*)`)

func temporalCause(ctx context.Context, addr string, waited time.Duration, err error) string {
	msg := err.Error()
	if m := grpcDialCause.FindStringSubmatch(msg); m != nil {
		return strings.TrimSpace(m[1])
	}
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "context deadline exceeded") {
		return fmt.Sprintf("no answer within %s", waited.Round(time.Second))
	}
	// A host name that does not resolve surfaces from gRPC as "no children
	// to pick from": name it.
	if host, _, splitErr := net.SplitHostPort(addr); splitErr == nil && net.ParseIP(host) == nil {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, lerr := net.DefaultResolver.LookupHost(lctx, host); lerr != nil {
			return fmt.Sprintf("cannot resolve host %s", host)
		}
	}
	msg = strings.TrimPrefix(msg, "failed reaching server: ")
	return strings.Join(strings.Fields(msg), " ")
}

// checkNamespace fails when Temporal has no namespace ns, naming it.
// Errors other than "not found" (a key without the right to describe
// namespaces, say) are left for the first real call to report.
func checkNamespace(ctx context.Context, c client.Client, addr, ns string) error {
	start := time.Now()
	dctx, cancel := context.WithTimeout(ctx, temporalDialTimeout)
	defer cancel()
	_, err := c.WorkflowService().DescribeNamespace(dctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	var nf *serviceerror.NamespaceNotFound
	var nf2 *serviceerror.NotFound
	switch {
	case err == nil:
		return nil
	case errors.As(err, &nf), errors.As(err, &nf2):
		return fmt.Errorf("Temporal at %s has no namespace %q: create it (temporal operator namespace create --namespace %s) or give another --namespace", addr, ns, ns)
	case errors.Is(err, context.DeadlineExceeded):
		return temporalUnreachable(ctx, addr, time.Since(start), err)
	}
	return nil
}

// listenProblem is the reason an address could not be listened on, short
// when it is the usual one.
func listenProblem(err error) string {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return "address already in use (another process listens there)"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "not an address of this machine"
	case errors.Is(err, syscall.EACCES):
		return "permission denied (ports below 1024 need privileges)"
	}
	return err.Error()
}

// redactDSN hides a password in a postgres:// DSN, in its user
// information or its password= parameter.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return redactUserinfo(dsn)
	}
	const hidden = "ADSCANHIDDENPASSWORD"
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), hidden)
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", hidden)
		u.RawQuery = q.Encode()
	}
	return strings.ReplaceAll(u.String(), hidden, "***")
}

// redactUserinfo hides what lies between the first ':' after "://" and
// the last '@' of a DSN that does not parse as a URL.
func redactUserinfo(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			if colon := strings.Index(dsn[i+3:at], ":"); colon >= 0 {
				return dsn[:i+3+colon] + ":***" + dsn[at:]
			}
		}
	}
	if i := strings.Index(dsn, "password="); i >= 0 {
		end := strings.IndexAny(dsn[i:], " &")
		if end < 0 {
			return dsn[:i] + "password=***"
		}
		return dsn[:i] + "password=***" + dsn[i+end:]
	}
	return dsn
}

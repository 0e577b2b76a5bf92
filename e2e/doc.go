// Package e2e holds the browser tests: they build the app with build.sh,
// serve it with its own server and drive Debian's Chromium with chromedp
// (package internal/headless, shared with cmd/browserbench), comparing what
// the page shows with the native classifier. They fail, never skip, when
// Chromium is missing.
//
//	go test ./e2e            # all of them, about a minute and a half
//	go test ./e2e -run TestBrowserApp -v
package e2e

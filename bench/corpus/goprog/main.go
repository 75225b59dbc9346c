//go:build wasip1

// Command goprog is the Go program of wpi's benchmark corpus: a
// GOOS=wasip1 build is one of the large modules whose compile time is
// measured (the Go runtime, reflection, net/http's server types, regexp,
// templates, compression and crypto make several megabytes of wasm). Run,
// it serves size requests through an http.ServeMux into recorders,
// round-trips JSON, matches regexps, renders a template, gzips and hashes,
// and prints a checksum, like the C programs.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

type record struct {
	ID    int               `json:"id"`
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Score float64           `json:"score"`
	Attrs map[string]string `json:"attrs"`
}

var (
	pathRe = regexp.MustCompile(`^/items/([a-z]+)/([0-9]+)$`)
	page   = template.Must(template.New("page").Parse(
		`{{range .}}<li id="{{.ID}}">{{.Name}} {{printf "%.3f" .Score}}{{range .Tags}} #{{.}}{{end}}</li>{{end}}`))
)

func main() {
	n := 300
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil && v > 0 {
			n = v
		}
	}
	h := sha256.New()
	var recs []record

	mux := http.NewServeMux()
	mux.HandleFunc("/items/", func(w http.ResponseWriter, r *http.Request) {
		m := pathRe.FindStringSubmatch(r.URL.Path)
		if m == nil {
			http.NotFound(w, r)
			return
		}
		id, _ := strconv.Atoi(m[2])
		rec := record{ID: id, Name: m[1], Tags: strings.Split(r.URL.Query().Get("tags"), ","),
			Score: float64(id%97) / 7, Attrs: map[string]string{"kind": m[1], "len": strconv.Itoa(len(m[1]))}}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(rec)
	})
	words := []string{"alpha", "beta", "gamma", "delta", "pool", "slot", "page"}
	for i := 0; i < n; i++ {
		path := fmt.Sprintf("/items/%s/%d?tags=%s,%s", words[i%len(words)], i*31, words[(i+1)%len(words)], words[(i+3)%len(words)])
		if i%10 == 9 {
			path = "/items/BAD/x"
		}
		rw := httptest.NewRecorder()
		mux.ServeHTTP(rw, httptest.NewRequest("GET", path, nil))
		fmt.Fprintf(h, "%d %s", rw.Code, rw.Body.Bytes())
		if rw.Code == http.StatusOK {
			var rec record
			if err := json.Unmarshal(rw.Body.Bytes(), &rec); err != nil {
				fmt.Println("goprog:", err)
				os.Exit(1)
			}
			recs = append(recs, rec)
		}
	}
	sort.Slice(recs, func(i, j int) bool {
		if recs[i].Score != recs[j].Score {
			return recs[i].Score > recs[j].Score
		}
		return recs[i].ID < recs[j].ID
	})
	var buf bytes.Buffer
	if err := page.Execute(&buf, recs); err != nil {
		fmt.Println("goprog:", err)
		os.Exit(1)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(buf.Bytes())
	zw.Close()
	h.Write(gz.Bytes())
	f := new(big.Int).MulRange(1, int64(n))
	h.Write(f.Bytes())
	fmt.Printf("goprog %d %d %d %x\n", n, len(recs), buf.Len(), h.Sum(nil)[:8])
}

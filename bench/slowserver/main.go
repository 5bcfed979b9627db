// Command slowserver answers every HTTP request after a fixed delay, on
// loopback, for the I/O benchmark of bench/run.sh:
//
//	slowserver -addr 127.0.0.1:8765 -delay 50ms
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8765", "loopback address to listen on")
	delay := flag.Duration("delay", 50*time.Millisecond, "how long each answer waits")
	flag.Parse()
	srv := &http.Server{
		Addr: *addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(*delay)
			fmt.Fprintln(w, "ok")
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	log.Fatal(srv.ListenAndServe())
}

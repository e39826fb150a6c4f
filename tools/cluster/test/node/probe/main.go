// probe: the test image's one static binary. `serve ADDR` answers HTTP with its hostname,
// `get URL` prints a response body, `lookup NAME` prints addresses, `sleep` waits forever.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: probe serve ADDR | get URL | lookup NAME | sleep")
	}
	switch os.Args[1] {
	case "serve":
		host, _ := os.Hostname()
		http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			log.Printf("%s %s from %s", r.Method, r.URL.Path, r.RemoteAddr)
			fmt.Fprintf(w, "hello from %s\n", host)
		})
		log.Printf("serving on %s", os.Args[2])
		log.Fatal(http.ListenAndServe(os.Args[2], nil))
	case "get":
		client := http.Client{Timeout: 5 * time.Second}
		res, err := client.Get(os.Args[2])
		if err != nil {
			log.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		fmt.Print(string(body))
	case "lookup":
		addrs, err := net.LookupHost(os.Args[2])
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(addrs)
	case "sleep":
		for {
			time.Sleep(time.Hour)
		}
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

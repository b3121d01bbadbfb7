package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
)

// extTypes maps common extensions to content types without parameters, so
// detection does not depend on the machine's mime.types.
var extTypes = map[string]string{
	".txt": "text/plain", ".text": "text/plain", ".log": "text/plain",
	".html": "text/html", ".htm": "text/html", ".css": "text/css",
	".csv": "text/csv", ".md": "text/markdown", ".markdown": "text/markdown",
	".js": "text/javascript", ".mjs": "text/javascript",
	".json": "application/json", ".xml": "application/xml",
	".yaml": "application/yaml", ".yml": "application/yaml",
	".pdf": "application/pdf", ".zip": "application/zip",
	".gz": "application/gzip", ".tar": "application/x-tar",
	".wasm": "application/wasm", ".bin": "application/octet-stream",
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif",
	".svg": "image/svg+xml", ".ico": "image/x-icon", ".bmp": "image/bmp",
	".tif": "image/tiff", ".tiff": "image/tiff", ".heic": "image/heic",
	".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg",
	".m4a": "audio/mp4", ".flac": "audio/flac",
	".mp4": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime",
	".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

// DetectContentType returns the content type an upload of key gets when
// none is given: from the key's extension, else sniffed from head (the
// first bytes of the content, up to 512), without parameters.
func DetectContentType(key string, head []byte) string {
	if t := typeByExtension(key); t != "" {
		return t
	}
	return sniff(head)
}

func typeByExtension(key string) string {
	ext := strings.ToLower(path.Ext(key))
	if ext == "" {
		return ""
	}
	if t, ok := extTypes[ext]; ok {
		return t
	}
	return stripParams(mime.TypeByExtension(ext))
}

func sniff(head []byte) string {
	if len(head) == 0 {
		return "application/octet-stream"
	}
	return stripParams(http.DetectContentType(head))
}

func stripParams(t string) string {
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return strings.TrimSpace(t)
}

// detectContentType picks the upload's type; when it must sniff, it peeks
// at most 512 bytes and returns a reader that still yields everything.
func detectContentType(key string, r io.Reader) (string, io.Reader, error) {
	if t := typeByExtension(key); t != "" {
		return t, r, nil
	}
	br := bufio.NewReaderSize(r, 512)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", nil, fmt.Errorf("read content to detect its type: %w", err)
	}
	return sniff(head), br, nil
}

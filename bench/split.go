package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// SplitArray reads a JSON array of objects from r and calls each with the
// bytes of one element at a time (valid only during the call), so a codec
// without a streaming token API (such as sonic) can decode row by row at
// constant memory: one element's bytes plus a read buffer. It checks only
// the array's framing; the codec validates each element.
func SplitArray(r io.Reader, each func([]byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	c, err := nextByte(br)
	if errors.Is(err, io.EOF) {
		return nil // empty body: no rows
	}
	if err != nil {
		return err
	}
	if c != '[' {
		return fmt.Errorf("want a JSON array, got %q", c)
	}
	var elem []byte
	for first := true; ; first = false {
		if c, err = nextByte(br); err != nil {
			return unexpected(err)
		}
		if c == ']' {
			return nil
		}
		if !first {
			if c != ',' {
				return fmt.Errorf("want , or ] between rows, got %q", c)
			}
			if c, err = nextByte(br); err != nil {
				return unexpected(err)
			}
		}
		if c != '{' {
			return fmt.Errorf("want a JSON object row, got %q", c)
		}
		elem = append(elem[:0], c)
		depth, inStr, esc := 1, false, false
		for depth > 0 {
			buf, err := br.Peek(max(br.Buffered(), 1))
			if len(buf) == 0 {
				return unexpected(err)
			}
			i := 0
			for ; i < len(buf) && depth > 0; i++ {
				x := buf[i]
				switch {
				case inStr:
					switch {
					case esc:
						esc = false
					case x == '\\':
						esc = true
					case x == '"':
						inStr = false
					}
				case x == '"':
					inStr = true
				case x == '{' || x == '[':
					depth++
				case x == '}' || x == ']':
					depth--
				}
			}
			elem = append(elem, buf[:i]...)
			_, _ = br.Discard(i)
		}
		if err := each(elem); err != nil {
			return err
		}
	}
}

// nextByte returns the next byte that is not JSON white space.
func nextByte(br *bufio.Reader) (byte, error) {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c, nil
	}
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

package main

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// encodeCommented writes v (a struct of app.toml) as TOML with each key
// preceded by the `comment` tag of its field (lines split on "\n"): plain
// keys first, then one [table] per struct field. It fails on a field with
// no comment, so every key in app.toml is explained.
func encodeCommented(buf *bytes.Buffer, v reflect.Value, table string) error {
	t := v.Type()
	var tables []int
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("toml"), ",")[0]
		if key == "" || key == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			tables = append(tables, i)
			continue
		}
		if err := writeComment(buf, f, table); err != nil {
			return err
		}
		var one bytes.Buffer
		if err := toml.NewEncoder(&one).Encode(map[string]any{key: v.Field(i).Interface()}); err != nil {
			return fmt.Errorf("%s%s: %w", tablePrefix(table), key, err)
		}
		buf.Write(one.Bytes())
		buf.WriteString("\n")
	}
	for _, i := range tables {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("toml"), ",")[0]
		if table != "" {
			name = table + "." + name
		}
		if err := writeComment(buf, f, table); err != nil {
			return err
		}
		fmt.Fprintf(buf, "[%s]\n\n", name)
		if err := encodeCommented(buf, v.Field(i), name); err != nil {
			return err
		}
	}
	return nil
}

func writeComment(buf *bytes.Buffer, f reflect.StructField, table string) error {
	c := f.Tag.Get("comment")
	if c == "" {
		return fmt.Errorf("app.toml key %s%s has no comment tag", tablePrefix(table), f.Tag.Get("toml"))
	}
	for _, line := range strings.Split(c, "\n") {
		buf.WriteString("# " + line + "\n")
	}
	return nil
}

func tablePrefix(table string) string {
	if table == "" {
		return ""
	}
	return table + "."
}

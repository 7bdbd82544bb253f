// Source files in each language the code transform outlines, for its tests. Real files from the dev install's
// packages where one exists: TypeScript and JavaScript as shipped, C++ from better-sqlite3, C cut out of the
// SQLite amalgamation better-sqlite3 ships, Python from the node-gyp inside npm, TSX from this repository.
// No installed package ships Go, Rust or Java, so a realistic file of each is written out here at run time.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LanguageName } from '../../src/compress/transforms/code-languages.js';

/** A source file, the function a question about it names, and where it came from. */
export interface SourceFile {
  language: LanguageName;
  /** The file's path, as the call that read it would name it. */
  path: string;
  text: string;
  /** A function of the file with a body of several lines: the one the question asks about. */
  asked: string;
  /** The start of its definition, as written on its first line. */
  signature: string;
  question: string;
  /** `package` for a file as an installed package ships it, `written` for one written for the tests. */
  origin: 'package' | 'repository' | 'written';
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const packageFile = (path: string) => join(root, 'node_modules', path);

/** One file of the SQLite amalgamation better-sqlite3 ships, between its `Begin file` and `End of` banners. */
export function amalgamatedFile(name: string): string {
  const lines = readFileSync(packageFile('better-sqlite3/deps/sqlite3/sqlite3.c'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('/****') && l.includes(` Begin file ${name} `));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('/****') && l.includes(` End of ${name} `));
  if (start < 0 || end < 0) throw new Error(`${name} is not in better-sqlite3's SQLite amalgamation`);
  return `${lines.slice(start + 1, end).join('\n')}\n`;
}

/** The gyp sources of the node-gyp that npm bundles: npm runs the tests, or sits beside node. */
function nodeGypFile(path: string): { path: string; text: string } {
  const npmRoots = [
    process.env.npm_execpath ? resolve(dirname(process.env.npm_execpath), '..') : undefined,
    resolve(dirname(process.execPath), '../lib/node_modules/npm'),
  ].filter((dir): dir is string => dir !== undefined);
  for (const npm of npmRoots) {
    const file = join(npm, 'node_modules/node-gyp', path);
    if (existsSync(file)) return { path: file, text: readFileSync(file, 'utf8') };
  }
  throw new Error(`node-gyp's ${path} is not under npm (looked in ${npmRoots.join(', ')})`);
}

function packaged(
  language: LanguageName,
  path: string,
  asked: string,
  signature: string,
  question: string,
): SourceFile {
  return {
    language,
    path,
    text: readFileSync(packageFile(path), 'utf8'),
    asked,
    signature,
    question,
    origin: 'package',
  };
}

/** Every language's file, in a fixed order. */
export function sourceFiles(): SourceFile[] {
  const gyp = nodeGypFile('gyp/pylib/gyp/input.py');
  return [
    packaged(
      'typescript',
      'openai/src/core/streaming.ts',
      'iterSSEChunks',
      'async function* iterSSEChunks(',
      'How does iterSSEChunks split the byte stream into chunks?',
    ),
    {
      language: 'tsx',
      path: 'src/tui/StatsScreen.tsx',
      text: readFileSync(join(root, 'src/tui/StatsScreen.tsx'), 'utf8'),
      asked: 'turnDetail',
      signature: 'function turnDetail(',
      question: 'What does turnDetail print for a turn?',
      origin: 'repository',
    },
    packaged(
      'javascript',
      'undici/lib/dispatcher/client-h1.js',
      'resumeH1',
      'function resumeH1 (',
      'How does resumeH1 decide to stop reading the socket?',
    ),
    {
      language: 'python',
      path: gyp.path,
      text: gyp.text,
      asked: 'ProcessListFiltersInDict',
      signature: 'def ProcessListFiltersInDict(',
      question: 'How does ProcessListFiltersInDict apply the exclude filters?',
      origin: 'package',
    },
    {
      language: 'c',
      path: 'sqlite3/attach.c',
      text: amalgamatedFile('attach.c'),
      asked: 'detachFunc',
      signature: 'static void detachFunc(',
      question: 'What does detachFunc check before it detaches a database?',
      origin: 'package',
    },
    packaged(
      'cpp',
      'better-sqlite3/src/objects/statement.cpp',
      'JS_all',
      'NODE_METHOD(Statement::JS_all)',
      'How does JS_all collect the rows into an array?',
    ),
    {
      language: 'go',
      path: 'inventory/store.go',
      text: GO_INVENTORY,
      asked: 'ApplyBatch',
      signature: 'func (s *Store) ApplyBatch(',
      question: 'Is ApplyBatch all-or-nothing when one movement fails?',
      origin: 'written',
    },
    {
      language: 'rust',
      path: 'config/src/lib.rs',
      text: RUST_CONFIG,
      asked: 'load_into',
      signature: 'fn load_into(',
      question: 'How does load_into stop include cycles?',
      origin: 'written',
    },
    {
      language: 'java',
      path: 'src/main/java/org/example/jobs/JobQueue.java',
      text: JAVA_JOB_QUEUE,
      asked: 'runDue',
      signature: 'public RunReport runDue()',
      question: 'What does runDue do when a job throws on its last attempt?',
      origin: 'written',
    },
  ];
}

/** The file of one language. */
export function sourceFile(language: LanguageName): SourceFile {
  const file = sourceFiles().find((f) => f.language === language);
  if (!file) throw new Error(`no source file for ${language}`);
  return file;
}

// A warehouse stock service, as a Go package would have it.
const GO_INVENTORY = `// Package inventory keeps stock levels for a small warehouse service and serves them over HTTP.
package inventory

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultReorderLevel is the stock level below which an item is reported for reordering.
const DefaultReorderLevel = 10

const (
	maxSKULength   = 32
	maxBatchSize   = 500
	requestTimeout = 5 * time.Second
)

// ErrUnknownItem is returned when a SKU is not in the store.
var ErrUnknownItem = errors.New("inventory: unknown item")

// ErrInsufficientStock is returned when a withdrawal exceeds what is on hand.
var ErrInsufficientStock = errors.New("inventory: insufficient stock")

// Item is one stock-keeping unit and how many of it are on hand.
type Item struct {
	SKU          string    \`json:"sku"\`
	Name         string    \`json:"name"\`
	Quantity     int       \`json:"quantity"\`
	ReorderLevel int       \`json:"reorderLevel"\`
	UpdatedAt    time.Time \`json:"updatedAt"\`
}

// Movement records one change of stock, positive for deliveries and negative for withdrawals.
type Movement struct {
	SKU    string    \`json:"sku"\`
	Delta  int       \`json:"delta"\`
	Reason string    \`json:"reason"\`
	At     time.Time \`json:"at"\`
}

// Clock tells the time; tests replace it.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Store holds the items and the history of movements, safe for concurrent use.
type Store struct {
	mu        sync.RWMutex
	items     map[string]*Item
	movements []Movement
	clock     Clock
}

// NewStore returns an empty store that uses the system clock.
func NewStore() *Store {
	return &Store{items: make(map[string]*Item), clock: systemClock{}}
}

// ValidateSKU reports whether a SKU is well formed: upper-case letters, digits and dashes.
func ValidateSKU(sku string) error {
	if sku == "" {
		return errors.New("inventory: empty SKU")
	}
	if len(sku) > maxSKULength {
		return fmt.Errorf("inventory: SKU %q longer than %d characters", sku, maxSKULength)
	}
	for i, r := range sku {
		switch {
		case r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9':
		case r == '-' && i > 0 && i < len(sku)-1:
		default:
			return fmt.Errorf("inventory: SKU %q has %q at %d", sku, r, i)
		}
	}
	return nil
}

// Add registers a new item with its opening quantity.
func (s *Store) Add(sku, name string, quantity int) (*Item, error) {
	if err := ValidateSKU(sku); err != nil {
		return nil, err
	}
	if quantity < 0 {
		return nil, fmt.Errorf("inventory: negative opening quantity %d", quantity)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.items[sku]; exists {
		return nil, fmt.Errorf("inventory: %s already exists", sku)
	}
	item := &Item{
		SKU:          sku,
		Name:         strings.TrimSpace(name),
		Quantity:     quantity,
		ReorderLevel: DefaultReorderLevel,
		UpdatedAt:    s.clock.Now(),
	}
	s.items[sku] = item
	s.movements = append(s.movements, Movement{SKU: sku, Delta: quantity, Reason: "opening", At: item.UpdatedAt})
	return item, nil
}

// Get returns a copy of the item with the given SKU.
func (s *Store) Get(sku string) (Item, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	item, ok := s.items[sku]
	if !ok {
		return Item{}, ErrUnknownItem
	}
	return *item, nil
}

// Adjust changes the quantity of an item by delta and records why.
func (s *Store) Adjust(sku string, delta int, reason string) (Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	item, ok := s.items[sku]
	if !ok {
		return Item{}, ErrUnknownItem
	}
	if item.Quantity+delta < 0 {
		return *item, fmt.Errorf("%w: %s has %d, asked for %d", ErrInsufficientStock, sku, item.Quantity, -delta)
	}
	item.Quantity += delta
	item.UpdatedAt = s.clock.Now()
	if reason == "" {
		reason = "adjustment"
	}
	s.movements = append(s.movements, Movement{SKU: sku, Delta: delta, Reason: reason, At: item.UpdatedAt})
	return *item, nil
}

// ApplyBatch applies several movements at once: all of them, or none when one would fail.
func (s *Store) ApplyBatch(batch []Movement) error {
	if len(batch) > maxBatchSize {
		return fmt.Errorf("inventory: batch of %d movements exceeds %d", len(batch), maxBatchSize)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pending := make(map[string]int, len(batch))
	for _, m := range batch {
		item, ok := s.items[m.SKU]
		if !ok {
			return fmt.Errorf("%w: %s", ErrUnknownItem, m.SKU)
		}
		pending[m.SKU] += m.Delta
		if item.Quantity+pending[m.SKU] < 0 {
			return fmt.Errorf("%w: %s", ErrInsufficientStock, m.SKU)
		}
	}
	now := s.clock.Now()
	for _, m := range batch {
		item := s.items[m.SKU]
		item.Quantity += m.Delta
		item.UpdatedAt = now
		m.At = now
		s.movements = append(s.movements, m)
	}
	return nil
}

// BelowReorderLevel lists the items whose stock has fallen under their reorder level, lowest first.
func (s *Store) BelowReorderLevel() []Item {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var low []Item
	for _, item := range s.items {
		if item.Quantity < item.ReorderLevel {
			low = append(low, *item)
		}
	}
	sort.Slice(low, func(i, j int) bool {
		if low[i].Quantity != low[j].Quantity {
			return low[i].Quantity < low[j].Quantity
		}
		return low[i].SKU < low[j].SKU
	})
	return low
}

// History returns the movements of one SKU, or of every SKU when sku is empty, newest last.
func (s *Store) History(sku string, since time.Time) []Movement {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Movement
	for _, m := range s.movements {
		if sku != "" && m.SKU != sku {
			continue
		}
		if m.At.Before(since) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// Handler serves the store: GET /items/{sku}, POST /items/{sku}/adjust, GET /reorder.
type Handler struct {
	Store *Store
}

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(path, "/")
	switch {
	case r.Method == http.MethodGet && len(parts) == 1 && parts[0] == "reorder":
		writeJSON(w, http.StatusOK, h.Store.BelowReorderLevel())
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "items":
		h.getItem(w, parts[1])
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "items" && parts[2] == "adjust":
		h.adjustItem(w, r, parts[1])
	default:
		writeError(w, http.StatusNotFound, fmt.Errorf("no route for %s %s", r.Method, r.URL.Path))
	}
}

func (h Handler) getItem(w http.ResponseWriter, sku string) {
	item, err := h.Store.Get(sku)
	if errors.Is(err, ErrUnknownItem) {
		writeError(w, http.StatusNotFound, err)
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, item)
}

func (h Handler) adjustItem(w http.ResponseWriter, r *http.Request, sku string) {
	delta, err := strconv.Atoi(r.URL.Query().Get("delta"))
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Errorf("delta: %w", err))
		return
	}
	item, err := h.Store.Adjust(sku, delta, r.URL.Query().Get("reason"))
	switch {
	case errors.Is(err, ErrUnknownItem):
		writeError(w, http.StatusNotFound, err)
	case errors.Is(err, ErrInsufficientStock):
		writeError(w, http.StatusConflict, err)
	case err != nil:
		writeError(w, http.StatusInternalServerError, err)
	default:
		writeJSON(w, http.StatusOK, item)
	}
}

func writeJSON(w http.ResponseWriter, status int, value any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	encoder := json.NewEncoder(w)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(value); err != nil {
		fmt.Fprintf(w, \`{"error":%q}\`, err.Error())
	}
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// Summary is a report of the whole store.
type Summary struct {
	Items      int            \`json:"items"\`
	Units      int            \`json:"units"\`
	Low        int            \`json:"low"\`
	ByReason   map[string]int \`json:"byReason"\`
	LastChange time.Time      \`json:"lastChange"\`
}

// Summarize counts items, units on hand and movements by reason.
func (s *Store) Summarize() Summary {
	s.mu.RLock()
	defer s.mu.RUnlock()
	summary := Summary{ByReason: make(map[string]int)}
	for _, item := range s.items {
		summary.Items++
		summary.Units += item.Quantity
		if item.Quantity < item.ReorderLevel {
			summary.Low++
		}
		if item.UpdatedAt.After(summary.LastChange) {
			summary.LastChange = item.UpdatedAt
		}
	}
	for _, m := range s.movements {
		summary.ByReason[m.Reason] += m.Delta
	}
	return summary
}

// ParseMovements reads movements from CSV lines of the form "SKU,delta,reason".
func ParseMovements(lines []string) ([]Movement, error) {
	movements := make([]Movement, 0, len(lines))
	for n, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.SplitN(line, ",", 3)
		if len(fields) < 2 {
			return nil, fmt.Errorf("line %d: want SKU,delta[,reason], got %q", n+1, line)
		}
		sku := strings.TrimSpace(fields[0])
		if err := ValidateSKU(sku); err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		delta, err := strconv.Atoi(strings.TrimSpace(fields[1]))
		if err != nil {
			return nil, fmt.Errorf("line %d: delta: %w", n+1, err)
		}
		reason := "import"
		if len(fields) == 3 && strings.TrimSpace(fields[2]) != "" {
			reason = strings.TrimSpace(fields[2])
		}
		movements = append(movements, Movement{SKU: sku, Delta: delta, Reason: reason})
	}
	return movements, nil
}

// WithTimeout wraps a handler so that slow requests are answered with 503.
func WithTimeout(next http.Handler) http.Handler {
	return http.TimeoutHandler(next, requestTimeout, "inventory: request timed out")
}

// Routes returns the service's handler with its middleware.
func Routes(store *Store) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", WithTimeout(Handler{Store: store}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		summary := store.Summarize()
		status := http.StatusOK
		if summary.Items == 0 {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, map[string]any{
			"ok":    status == http.StatusOK,
			"items": summary.Items,
		})
	})
	return mux
}

// Reconcile compares a stock-take with the store and records one correcting movement per difference.
// Counted SKUs the store does not know are reported, not added: a typo in a count sheet must not create items.
func (s *Store) Reconcile(counted map[string]int) ([]Movement, []string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var corrections []Movement
	var unknown []string
	skus := make([]string, 0, len(counted))
	for sku := range counted {
		skus = append(skus, sku)
	}
	sort.Strings(skus)
	now := s.clock.Now()
	for _, sku := range skus {
		quantity := counted[sku]
		if quantity < 0 {
			return nil, nil, fmt.Errorf("inventory: negative count %d for %s", quantity, sku)
		}
		item, ok := s.items[sku]
		if !ok {
			unknown = append(unknown, sku)
			continue
		}
		delta := quantity - item.Quantity
		if delta == 0 {
			continue
		}
		item.Quantity = quantity
		item.UpdatedAt = now
		m := Movement{SKU: sku, Delta: delta, Reason: "stock-take", At: now}
		s.movements = append(s.movements, m)
		corrections = append(corrections, m)
	}
	return corrections, unknown, nil
}

// ExportCSV writes every item as "sku,name,quantity,reorderLevel", sorted by SKU, with a header row.
func (s *Store) ExportCSV(w io.Writer) error {
	s.mu.RLock()
	items := make([]Item, 0, len(s.items))
	for _, item := range s.items {
		items = append(items, *item)
	}
	s.mu.RUnlock()
	sort.Slice(items, func(i, j int) bool { return items[i].SKU < items[j].SKU })
	out := csv.NewWriter(w)
	if err := out.Write([]string{"sku", "name", "quantity", "reorderLevel"}); err != nil {
		return err
	}
	for _, item := range items {
		record := []string{
			item.SKU,
			item.Name,
			strconv.Itoa(item.Quantity),
			strconv.Itoa(item.ReorderLevel),
		}
		if err := out.Write(record); err != nil {
			return fmt.Errorf("inventory: writing %s: %w", item.SKU, err)
		}
	}
	out.Flush()
	return out.Error()
}

// ImportCSV adds or updates items from rows written by ExportCSV; it stops at the first bad row.
func (s *Store) ImportCSV(r io.Reader) (added, updated int, err error) {
	in := csv.NewReader(r)
	in.FieldsPerRecord = 4
	header, err := in.Read()
	if err != nil {
		return 0, 0, fmt.Errorf("inventory: reading header: %w", err)
	}
	if strings.Join(header, ",") != "sku,name,quantity,reorderLevel" {
		return 0, 0, fmt.Errorf("inventory: unexpected header %q", header)
	}
	for row := 2; ; row++ {
		record, err := in.Read()
		if errors.Is(err, io.EOF) {
			return added, updated, nil
		}
		if err != nil {
			return added, updated, fmt.Errorf("inventory: row %d: %w", row, err)
		}
		quantity, err := strconv.Atoi(record[2])
		if err != nil {
			return added, updated, fmt.Errorf("inventory: row %d: quantity: %w", row, err)
		}
		level, err := strconv.Atoi(record[3])
		if err != nil {
			return added, updated, fmt.Errorf("inventory: row %d: reorder level: %w", row, err)
		}
		if _, err := s.Get(record[0]); errors.Is(err, ErrUnknownItem) {
			if _, err := s.Add(record[0], record[1], quantity); err != nil {
				return added, updated, fmt.Errorf("inventory: row %d: %w", row, err)
			}
			added++
		} else if _, err := s.Adjust(record[0], quantity-s.quantityOf(record[0]), "import"); err != nil {
			return added, updated, fmt.Errorf("inventory: row %d: %w", row, err)
		} else {
			updated++
		}
		s.setReorderLevel(record[0], level)
	}
}

func (s *Store) quantityOf(sku string) int {
	item, _ := s.Get(sku)
	return item.Quantity
}

func (s *Store) setReorderLevel(sku string, level int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if item, ok := s.items[sku]; ok && level >= 0 {
		item.ReorderLevel = level
	}
}
`;

// An INI-style configuration reader with its unit tests, as a Rust library crate would have it.
const RUST_CONFIG = `//! A small reader for INI-style configuration files: sections, keys, typed values and includes.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// Includes nested deeper than this are refused, so a file that includes itself fails fast.
pub const MAX_INCLUDE_DEPTH: usize = 8;

const COMMENT_MARKERS: [char; 2] = [';', '#'];

/// A value as written in the file, typed on demand.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Boolean(bool),
    List(Vec<String>),
}

/// What went wrong while reading a configuration, with the line it happened on.
#[derive(Debug)]
pub enum ConfigError {
    Io { path: PathBuf, source: std::io::Error },
    Syntax { line: usize, message: String },
    Duplicate { section: String, key: String, line: usize },
    IncludeDepth { path: PathBuf },
    Missing { section: String, key: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { path, source } => write!(f, "cannot read {}: {}", path.display(), source),
            ConfigError::Syntax { line, message } => write!(f, "line {}: {}", line, message),
            ConfigError::Duplicate { section, key, line } => {
                write!(f, "line {}: [{}] {} is set twice", line, section, key)
            }
            ConfigError::IncludeDepth { path } => {
                write!(f, "{}: includes nested deeper than {}", path.display(), MAX_INCLUDE_DEPTH)
            }
            ConfigError::Missing { section, key } => write!(f, "[{}] {} is required", section, key),
        }
    }
}

impl std::error::Error for ConfigError {}

/// One line of a configuration file, as the tokenizer sees it.
#[derive(Debug, PartialEq)]
enum Line<'a> {
    Blank,
    Section(&'a str),
    Entry { key: &'a str, value: &'a str },
    Include(&'a str),
}

/// Sections of keys and values, in sorted order so output is stable.
#[derive(Debug, Default, Clone)]
pub struct Config {
    sections: BTreeMap<String, BTreeMap<String, Value>>,
    origin: Option<PathBuf>,
}

/// Reads a typed value out of a configuration.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Integer(n) => Some(*n),
            Value::Text(text) => text.trim().parse().ok(),
            _ => None,
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Boolean(b) => Some(*b),
            Value::Text(text) => match text.to_ascii_lowercase().as_str() {
                "yes" | "on" | "true" | "1" => Some(true),
                "no" | "off" | "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(text) => Some(text.clone()),
            Value::Integer(n) => Some(n.to_string()),
            Value::Boolean(b) => Some(b.to_string()),
            Value::List(items) => Some(items.join(", ")),
        }
    }
}

fn strip_comment(line: &str) -> &str {
    let mut in_quotes = false;
    for (index, ch) in line.char_indices() {
        match ch {
            '"' => in_quotes = !in_quotes,
            c if COMMENT_MARKERS.contains(&c) && !in_quotes => return &line[..index],
            _ => {}
        }
    }
    line
}

fn tokenize_line(raw: &str, number: usize) -> Result<Line<'_>, ConfigError> {
    let line = strip_comment(raw).trim();
    if line.is_empty() {
        return Ok(Line::Blank);
    }
    if let Some(rest) = line.strip_prefix('[') {
        let name = rest.strip_suffix(']').ok_or_else(|| ConfigError::Syntax {
            line: number,
            message: format!("section header {:?} is not closed", line),
        })?;
        if name.trim().is_empty() {
            return Err(ConfigError::Syntax { line: number, message: "empty section name".into() });
        }
        return Ok(Line::Section(name.trim()));
    }
    if let Some(path) = line.strip_prefix("include ") {
        return Ok(Line::Include(path.trim().trim_matches('"')));
    }
    match line.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok(Line::Entry { key: key.trim(), value: value.trim() }),
        _ => Err(ConfigError::Syntax { line: number, message: format!("expected key = value, got {:?}", line) }),
    }
}

/// Types a raw value: integers, booleans, comma lists, or text with its quotes removed.
pub fn parse_value(raw: &str) -> Value {
    let unquoted = raw.trim_matches('"');
    if raw.starts_with('"') && raw.ends_with('"') && raw.len() >= 2 {
        return Value::Text(unquoted.to_string());
    }
    if let Ok(number) = raw.parse::<i64>() {
        return Value::Integer(number);
    }
    match raw {
        "true" => return Value::Boolean(true),
        "false" => return Value::Boolean(false),
        _ => {}
    }
    if raw.contains(',') {
        let items = raw.split(',').map(|item| item.trim().to_string()).filter(|item| !item.is_empty()).collect();
        return Value::List(items);
    }
    Value::Text(unquoted.to_string())
}

impl Config {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a file and the files it includes, relative to its own directory.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let mut config = Config::new();
        config.origin = Some(path.to_path_buf());
        config.load_into(path, 0)?;
        Ok(config)
    }

    fn load_into(&mut self, path: &Path, depth: usize) -> Result<(), ConfigError> {
        if depth > MAX_INCLUDE_DEPTH {
            return Err(ConfigError::IncludeDepth { path: path.to_path_buf() });
        }
        let text = fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        let mut section = String::from("default");
        for (index, raw) in text.lines().enumerate() {
            match tokenize_line(raw, index + 1)? {
                Line::Blank => {}
                Line::Section(name) => section = name.to_string(),
                Line::Include(included) => self.load_into(&base.join(included), depth + 1)?,
                Line::Entry { key, value } => self.insert(&section, key, value, index + 1)?,
            }
        }
        Ok(())
    }

    /// Parses configuration text that includes no other files.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let mut config = Config::new();
        let mut section = String::from("default");
        for (index, raw) in text.lines().enumerate() {
            match tokenize_line(raw, index + 1)? {
                Line::Blank => {}
                Line::Section(name) => section = name.to_string(),
                Line::Include(_) => {
                    return Err(ConfigError::Syntax {
                        line: index + 1,
                        message: "include needs a file to be relative to".into(),
                    })
                }
                Line::Entry { key, value } => config.insert(&section, key, value, index + 1)?,
            }
        }
        Ok(config)
    }

    fn insert(&mut self, section: &str, key: &str, value: &str, line: usize) -> Result<(), ConfigError> {
        let entries = self.sections.entry(section.to_string()).or_default();
        if entries.contains_key(key) {
            return Err(ConfigError::Duplicate { section: section.to_string(), key: key.to_string(), line });
        }
        entries.insert(key.to_string(), parse_value(value));
        Ok(())
    }

    /// The value of a key, typed, if the section has it and it converts.
    pub fn get<T: FromValue>(&self, section: &str, key: &str) -> Option<T> {
        self.sections.get(section)?.get(key).and_then(T::from_value)
    }

    /// The value of a key that must be there.
    pub fn require<T: FromValue>(&self, section: &str, key: &str) -> Result<T, ConfigError> {
        self.get(section, key).ok_or_else(|| ConfigError::Missing {
            section: section.to_string(),
            key: key.to_string(),
        })
    }

    /// Every section name, sorted.
    pub fn sections(&self) -> impl Iterator<Item = &str> {
        self.sections.keys().map(String::as_str)
    }

    /// Merges another configuration over this one: its keys win.
    pub fn merge(&mut self, other: Config) {
        for (section, entries) in other.sections {
            let target = self.sections.entry(section).or_default();
            for (key, value) in entries {
                target.insert(key, value);
            }
        }
        if self.origin.is_none() {
            self.origin = other.origin;
        }
    }

    /// Replaces \`\${section.key}\` references in text values with the values they name, repeatedly, so a
    /// reference may lead to another; a cycle or a reference to nothing is an error naming the key.
    pub fn expand_variables(&mut self) -> Result<(), ConfigError> {
        let snapshot = self.sections.clone();
        for (section, entries) in self.sections.iter_mut() {
            for (key, value) in entries.iter_mut() {
                let Value::Text(text) = value else { continue };
                let mut expanded = text.clone();
                let mut rounds = 0;
                while let Some(start) = expanded.find("\${") {
                    rounds += 1;
                    if rounds > MAX_INCLUDE_DEPTH * 4 {
                        return Err(ConfigError::Syntax {
                            line: 0,
                            message: format!("[{}] {}: references form a cycle", section, key),
                        });
                    }
                    let end = expanded[start..].find('}').map(|offset| start + offset).ok_or_else(|| {
                        ConfigError::Syntax { line: 0, message: format!("[{}] {}: unclosed \${{", section, key) }
                    })?;
                    let reference = &expanded[start + 2..end];
                    let (ref_section, ref_key) = reference.split_once('.').unwrap_or(("default", reference));
                    let replacement = snapshot
                        .get(ref_section)
                        .and_then(|entries| entries.get(ref_key))
                        .and_then(String::from_value)
                        .ok_or_else(|| ConfigError::Missing {
                            section: ref_section.to_string(),
                            key: ref_key.to_string(),
                        })?;
                    expanded.replace_range(start..=end, &replacement);
                }
                *text = expanded;
            }
        }
        Ok(())
    }

    /// The keys whose values differ between two configurations, as \`(section, key, before, after)\`.
    pub fn diff(&self, other: &Config) -> Vec<(String, String, Option<Value>, Option<Value>)> {
        let mut changes = Vec::new();
        let mut names: Vec<&String> = self.sections.keys().chain(other.sections.keys()).collect();
        names.sort();
        names.dedup();
        let empty = BTreeMap::new();
        for name in names {
            let before = self.sections.get(name).unwrap_or(&empty);
            let after = other.sections.get(name).unwrap_or(&empty);
            let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let old = before.get(key);
                let new = after.get(key);
                if old != new {
                    changes.push((name.clone(), key.clone(), old.cloned(), new.cloned()));
                }
            }
        }
        changes
    }

    /// Checks required keys and their types: \`schema\` maps \`section.key\` to "text", "integer", "boolean"
    /// or "list". Every problem is reported, not only the first.
    pub fn validate(&self, schema: &[(&str, &str)]) -> Vec<String> {
        let mut problems = Vec::new();
        for (path, kind) in schema {
            let (section, key) = match path.split_once('.') {
                Some(parts) => parts,
                None => {
                    problems.push(format!("schema entry {:?} needs a section", path));
                    continue;
                }
            };
            let value = match self.sections.get(section).and_then(|entries| entries.get(key)) {
                Some(value) => value,
                None => {
                    problems.push(format!("[{}] {} is required", section, key));
                    continue;
                }
            };
            let matches = match (*kind, value) {
                ("text", Value::Text(_)) => true,
                ("integer", Value::Integer(_)) => true,
                ("boolean", Value::Boolean(_)) => true,
                ("boolean", Value::Text(_)) => bool::from_value(value).is_some(),
                ("list", Value::List(_)) => true,
                ("list", Value::Text(_)) => true,
                _ => false,
            };
            if !matches {
                problems.push(format!("[{}] {} should be {}, found {:?}", section, key, kind, value));
            }
        }
        problems
    }

    /// Writes the configuration back as text, sections and keys sorted.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (section, entries) in &self.sections {
            if !out.is_empty() {
                out.push('\\n');
            }
            out.push_str(&format!("[{}]\\n", section));
            for (key, value) in entries {
                let text = match value {
                    Value::Text(text) if text.contains(',') || text.contains(';') => format!("\\"{}\\"", text),
                    Value::Text(text) => text.clone(),
                    Value::Integer(n) => n.to_string(),
                    Value::Boolean(b) => b.to_string(),
                    Value::List(items) => items.join(", "),
                };
                out.push_str(&format!("{} = {}\\n", key, text));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_values() {
        assert_eq!(parse_value("42"), Value::Integer(42));
        assert_eq!(parse_value("true"), Value::Boolean(true));
        assert_eq!(parse_value("\\"a, b\\""), Value::Text("a, b".into()));
        assert_eq!(parse_value("a, b"), Value::List(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn reads_sections_and_keys() {
        let config = Config::parse("name = demo\\n[server]\\nport = 8080 ; the default\\nverbose = yes\\n").unwrap();
        assert_eq!(config.get::<String>("default", "name").as_deref(), Some("demo"));
        assert_eq!(config.get::<i64>("server", "port"), Some(8080));
        assert_eq!(config.get::<bool>("server", "verbose"), Some(true));
    }

    #[test]
    fn refuses_duplicates() {
        let error = Config::parse("[a]\\nx = 1\\nx = 2\\n").unwrap_err();
        assert_eq!(error.to_string(), "line 3: [a] x is set twice");
    }

    #[test]
    fn expands_references() {
        let mut config = Config::parse("root = /srv\\n[paths]\\nlogs = \${root}/logs\\n").unwrap();
        config.expand_variables().unwrap();
        assert_eq!(config.get::<String>("paths", "logs").as_deref(), Some("/srv/logs"));
    }

    #[test]
    fn renders_sorted() {
        let config = Config::parse("[b]\\ny = 2\\n[a]\\nx = 1\\n").unwrap();
        assert_eq!(config.render(), "[a]\\nx = 1\\n\\n[b]\\ny = 2\\n");
    }
}
`;

// A job queue with retries and back-off, as a Java library would have it.
const JAVA_JOB_QUEUE = `package org.example.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * A priority queue of jobs with retries and back-off. Jobs run in priority order, earliest due first;
 * a failed job is retried after a delay that doubles with every attempt, up to a limit.
 */
public final class JobQueue {
    /** Attempts a job gets before it is given up on. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    /** The delay before the first retry; each later one doubles it. */
    public static final Duration BASE_DELAY = Duration.ofSeconds(2);

    private static final Duration MAX_DELAY = Duration.ofMinutes(10);

    /** How urgent a job is. */
    public enum Priority {
        HIGH(0),
        NORMAL(1),
        LOW(2);

        private final int rank;

        Priority(int rank) {
            this.rank = rank;
        }

        public int rank() {
            return rank;
        }
    }

    /** Where a job is in its life. */
    public enum State {
        WAITING,
        RUNNING,
        SUCCEEDED,
        FAILED
    }

    /** The work a job does; throwing marks the attempt failed. */
    @FunctionalInterface
    public interface Task {
        void run(Job job) throws Exception;
    }

    /** One unit of work and its bookkeeping. */
    public static final class Job {
        private final String id;
        private final Priority priority;
        private final Task task;
        private final int maxAttempts;
        private int attempts;
        private Instant due;
        private State state = State.WAITING;
        private String lastError;

        Job(String id, Priority priority, Task task, int maxAttempts, Instant due) {
            this.id = id;
            this.priority = priority;
            this.task = task;
            this.maxAttempts = maxAttempts;
            this.due = due;
        }

        public String id() {
            return id;
        }

        public Priority priority() {
            return priority;
        }

        public int attempts() {
            return attempts;
        }

        public State state() {
            return state;
        }

        public Optional<String> lastError() {
            return Optional.ofNullable(lastError);
        }

        @Override
        public String toString() {
            return id + " (" + priority + ", " + state + ", attempt " + attempts + "/" + maxAttempts + ")";
        }
    }

    /** What one call to {@link #runDue()} did. */
    public record RunReport(int ran, int succeeded, int retried, int failed) {
        public boolean idle() {
            return ran == 0;
        }
    }

    private static final Comparator<Job> ORDER =
            Comparator.comparing((Job job) -> job.due).thenComparingInt(job -> job.priority.rank()).thenComparing(job -> job.id);

    private final PriorityQueue<Job> waiting = new PriorityQueue<>(ORDER);
    private final Map<String, Job> byId = new HashMap<>();
    private final List<Consumer<Job>> listeners = new ArrayList<>();
    private final Clock clock;

    public JobQueue(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public JobQueue() {
        this(Clock.systemUTC());
    }

    /**
     * Adds a job to run as soon as possible.
     *
     * @throws IllegalArgumentException when a job with the same id is already queued
     */
    public Job submit(String id, Priority priority, Task task) {
        return schedule(id, priority, task, Duration.ZERO, DEFAULT_MAX_ATTEMPTS);
    }

    /** Adds a job to run after a delay, with its own attempt limit. */
    public synchronized Job schedule(String id, Priority priority, Task task, Duration delay, int maxAttempts) {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a job needs an id");
        }
        if (byId.containsKey(id)) {
            throw new IllegalArgumentException("job " + id + " is already queued");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        Job job = new Job(id, priority, Objects.requireNonNull(task, "task"), maxAttempts, clock.instant().plus(delay));
        byId.put(id, job);
        waiting.add(job);
        return job;
    }

    /** Tells a listener about every job that finishes, succeeded or failed for good. */
    public synchronized void onFinished(Consumer<Job> listener) {
        listeners.add(listener);
    }

    /** Cancels a waiting job; a running or finished one cannot be cancelled. */
    public synchronized boolean cancel(String id) {
        Job job = byId.get(id);
        if (job == null || job.state != State.WAITING) {
            return false;
        }
        waiting.remove(job);
        byId.remove(id);
        return true;
    }

    /** The delay before the next attempt of a job that has failed {@code attempts} times. */
    static Duration backoff(int attempts) {
        if (attempts <= 0) {
            return Duration.ZERO;
        }
        Duration delay = BASE_DELAY;
        for (int i = 1; i < attempts; i++) {
            delay = delay.multipliedBy(2);
            if (delay.compareTo(MAX_DELAY) >= 0) {
                return MAX_DELAY;
            }
        }
        return delay;
    }

    /** Runs every job that is due now, in order, and reports what happened. */
    public RunReport runDue() {
        int ran = 0;
        int succeeded = 0;
        int retried = 0;
        int failed = 0;
        Job job;
        while ((job = nextDue()) != null) {
            ran++;
            try {
                job.task.run(job);
                finish(job, State.SUCCEEDED, null);
                succeeded++;
            } catch (Exception error) {
                String message = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
                if (job.attempts >= job.maxAttempts) {
                    finish(job, State.FAILED, message);
                    failed++;
                } else {
                    retry(job, message);
                    retried++;
                }
            }
        }
        return new RunReport(ran, succeeded, retried, failed);
    }

    private synchronized Job nextDue() {
        Job head = waiting.peek();
        if (head == null || head.due.isAfter(clock.instant())) {
            return null;
        }
        waiting.poll();
        head.state = State.RUNNING;
        head.attempts++;
        return head;
    }

    private synchronized void retry(Job job, String message) {
        job.lastError = message;
        job.state = State.WAITING;
        job.due = clock.instant().plus(backoff(job.attempts));
        waiting.add(job);
    }

    private void finish(Job job, State state, String message) {
        List<Consumer<Job>> toTell;
        synchronized (this) {
            job.state = state;
            job.lastError = message;
            byId.remove(job.id);
            toTell = new ArrayList<>(listeners);
        }
        for (Consumer<Job> listener : toTell) {
            try {
                listener.accept(job);
            } catch (RuntimeException ignored) {
                // A listener's failure is its own; the queue goes on.
            }
        }
    }

    /** The jobs still queued, in the order they would run. */
    public synchronized List<Job> pending() {
        List<Job> jobs = new ArrayList<>(waiting);
        jobs.sort(ORDER);
        return Collections.unmodifiableList(jobs);
    }

    /** The time until the next job is due, or empty when nothing waits. */
    public synchronized Optional<Duration> untilNext() {
        Job head = waiting.peek();
        if (head == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(clock.instant(), head.due);
        return Optional.of(left.isNegative() ? Duration.ZERO : left);
    }

    /** A one-line account of the queue per priority, for logs. */
    public synchronized String describe() {
        Map<Priority, Integer> counts = new HashMap<>();
        for (Job job : waiting) {
            counts.merge(job.priority, 1, Integer::sum);
        }
        StringBuilder out = new StringBuilder("queue:");
        for (Priority priority : Priority.values()) {
            out.append(' ').append(priority.name().toLowerCase()).append('=').append(counts.getOrDefault(priority, 0));
        }
        untilNext().ifPresent(left -> out.append(", next in ").append(left.toSeconds()).append('s'));
        return out.toString();
    }

    /** Runs due jobs until none is left, sleeping until each next one is due, at most {@code rounds} times. */
    public int drain(int rounds) throws InterruptedException {
        int total = 0;
        for (int round = 0; round < rounds; round++) {
            RunReport report = runDue();
            total += report.ran();
            Optional<Duration> next = untilNext();
            if (next.isEmpty()) {
                break;
            }
            // Sleep past the due instant, not up to it, or the next round finds nothing due yet.
            long millis = next.get().toMillis() + 1;
            Thread.sleep(Math.min(millis, MAX_DELAY.toMillis()));
        }
        return total;
    }

    /**
     * Reads job specifications, one per line: {@code id priority delay-seconds [max-attempts]}, such as
     * {@code nightly-report low 3600 3}. Blank lines and lines starting with {@code #} are skipped.
     *
     * @return the parsed specifications, in file order
     * @throws IllegalArgumentException naming the line of the first specification that does not parse
     */
    public static List<Spec> parseSpecs(List<String> lines) {
        List<Spec> specs = new ArrayList<>();
        for (int number = 1; number <= lines.size(); number++) {
            String line = lines.get(number - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\\\s+");
            if (fields.length < 3 || fields.length > 4) {
                throw new IllegalArgumentException("line " + number + ": want id priority delay [attempts], got: " + line);
            }
            Priority priority;
            try {
                priority = Priority.valueOf(fields[1].toUpperCase());
            } catch (IllegalArgumentException unknown) {
                throw new IllegalArgumentException("line " + number + ": no priority " + fields[1], unknown);
            }
            long seconds;
            int attempts = DEFAULT_MAX_ATTEMPTS;
            try {
                seconds = Long.parseLong(fields[2]);
                if (fields.length == 4) {
                    attempts = Integer.parseInt(fields[3]);
                }
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("line " + number + ": " + notANumber.getMessage(), notANumber);
            }
            if (seconds < 0) {
                throw new IllegalArgumentException("line " + number + ": negative delay " + seconds);
            }
            specs.add(new Spec(fields[0], priority, Duration.ofSeconds(seconds), attempts));
        }
        return specs;
    }

    /** One line of a job specification file. */
    public record Spec(String id, Priority priority, Duration delay, int maxAttempts) {}

    /** Schedules every specification with the task the factory gives for its id; returns how many were added. */
    public int scheduleAll(List<Spec> specs, java.util.function.Function<String, Task> tasks) {
        int added = 0;
        for (Spec spec : specs) {
            Task task = tasks.apply(spec.id());
            if (task == null) {
                continue;
            }
            schedule(spec.id(), spec.priority(), task, spec.delay(), spec.maxAttempts());
            added++;
        }
        return added;
    }

    /**
     * How long the waiting jobs have been overdue: the median and the worst, per priority. A job that is not
     * due yet counts as zero.
     */
    public synchronized Map<Priority, Duration[]> lateness() {
        Map<Priority, List<Duration>> byPriority = new HashMap<>();
        Instant now = clock.instant();
        for (Job job : waiting) {
            Duration late = Duration.between(job.due, now);
            byPriority.computeIfAbsent(job.priority, p -> new ArrayList<>()).add(late.isNegative() ? Duration.ZERO : late);
        }
        Map<Priority, Duration[]> result = new HashMap<>();
        for (Map.Entry<Priority, List<Duration>> entry : byPriority.entrySet()) {
            List<Duration> values = entry.getValue();
            Collections.sort(values);
            Duration median = values.get(values.size() / 2);
            if (values.size() % 2 == 0) {
                median = values.get(values.size() / 2 - 1).plus(median).dividedBy(2);
            }
            result.put(entry.getKey(), new Duration[] {median, values.get(values.size() - 1)});
        }
        return result;
    }

    public static void main(String[] args) throws InterruptedException {
        JobQueue queue = new JobQueue();
        queue.onFinished(job -> System.out.println("finished " + job));
        queue.submit("greet", Priority.HIGH, job -> System.out.println("hello from " + job.id()));
        queue.submit("flaky", Priority.NORMAL, job -> {
            if (job.attempts() < 2) {
                throw new IllegalStateException("not yet");
            }
            System.out.println("flaky worked on attempt " + job.attempts());
        });
        System.out.println(queue.describe());
        System.out.println("ran " + queue.drain(3) + " attempts");
    }
}
`;

/**
 * The real files among them (as packages ship them, and this repository's), as items of the code category: the
 * question names the function, whose signature and last line must stay. For benchmarks and the engine's specs.
 */
export function sourceItems(): Array<{
  name: string;
  category: string;
  text: string;
  question: string;
  needles: string[];
}> {
  return sourceFiles()
    .filter((file) => file.origin !== 'written')
    .map((file) => {
      const lines = file.text.split('\n');
      const at = lines.findIndex((line) => line.includes(file.signature));
      if (at < 0) throw new Error(`${file.path} does not hold ${file.signature}`);
      return {
        name: `code-${file.path.split('/').at(-1)}`,
        category: 'code',
        text: file.text,
        question: `In ${file.path}: ${file.question}`,
        needles: [(lines[at] as string).trim(), lastBodyLine(lines, at)],
      };
    });
}

/** The last line of the body that opens at `at`: the last non-blank line indented deeper than it, trimmed. */
function lastBodyLine(lines: readonly string[], at: number): string {
  const indent = (line: string) => /^[ \t]*/.exec(line)?.[0].length ?? 0;
  const own = indent(lines[at] as string);
  let last = at;
  let i = at + 1;
  // Past the signature's own continuation lines, to the body.
  while (i < lines.length && !/[{:]\s*$/.test(lines[i - 1] as string)) i++;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    if (indent(line) <= own) break;
    last = i;
  }
  return (lines[last] as string).trim();
}

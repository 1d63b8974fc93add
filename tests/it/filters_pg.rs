//! Message filters against the real thing: `fnhost::triggers::contains` must answer exactly as
//! PostgreSQL's `doc::jsonb @> fragment::jsonb` on a generated corpus (seeded, so a failure
//! repeats), and `MessageFilter::matches` as `doc @> inclusion AND NOT doc @> exclusion`.
//!
//! Needs the PostgreSQL at `FNHOST_TEST_PG` (`.ci/run` starts one; locally
//! `export FNHOST_TEST_PG=$(tests/pg/start.sh)`). Without it the test fails: a silently skipped
//! comparison would prove nothing.

use fnhost::triggers::{contains, MessageFilter};
use serde_json::{json, Map, Number, Value};
use sqlx::postgres::{PgPool, PgPoolOptions};

/// How many (document, fragment) pairs the corpus holds.
const PAIRS: usize = 6000;
/// How many (document, inclusion, exclusion) filters are checked.
const FILTERS: usize = 1500;

async fn database() -> PgPool {
    let url = std::env::var("FNHOST_TEST_PG").unwrap_or_else(|_| {
        panic!(
            "FNHOST_TEST_PG is not set: these tests compare with a real PostgreSQL. Start one with \
             `export FNHOST_TEST_PG=$(tests/pg/start.sh)` (.ci/run does this itself)"
        )
    });
    PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap_or_else(|e| {
            panic!("cannot connect to FNHOST_TEST_PG={url}: {e} (is tests/pg/start.sh running?)")
        })
}

/// A small deterministic generator (splitmix64): the corpus is the same on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn key(&mut self) -> String {
        const KEYS: &[&str] = &[
            "form",
            "body",
            "group1/name",
            "group1/age",
            "group2/q1",
            "_uuid",
            "_tags",
            "id",
            "a",
            "b",
            "meta/instanceID",
            "clé",
            "",
        ];
        self.pick(KEYS).to_string()
    }

    fn number(&mut self) -> Value {
        let n = match self.below(20) {
            0 => Number::from(0),
            1 => Number::from(1),
            2 => Number::from_f64(1.0).unwrap(),
            3 => Number::from(-1),
            4 => Number::from_f64(1.5).unwrap(),
            5 => Number::from(36),
            6 => Number::from_f64(36.0).unwrap(),
            7 => Number::from_f64(-0.0).unwrap(),
            8 => Number::from_f64(0.1).unwrap(),
            9 => Number::from_f64(1e20).unwrap(),
            10 => Number::from_f64(1e-7).unwrap(),
            11 => Number::from(u64::MAX),
            12 => Number::from(i64::MIN),
            // The same f64, different numbers: PostgreSQL compares the printed decimals.
            13 => Number::from(1_234_567_890_123_456_768u64),
            14 => Number::from_f64(1_234_567_890_123_456_768.0).unwrap(),
            15 => Number::from(9_007_199_254_740_993u64),
            16 => Number::from_f64(9_007_199_254_740_992.0).unwrap(),
            17 => Number::from(10),
            18 => Number::from_f64(10.0).unwrap(),
            _ => Number::from(self.below(5) as u64),
        };
        Value::Number(n)
    }

    fn scalar(&mut self) -> Value {
        const STRINGS: &[&str] = &[
            "my_form",
            "intake",
            "Ada",
            "",
            "yes",
            "no",
            "1",
            "x y",
            "ünïcødé ✓",
            "group1/name",
            "\"quoted\"\n",
            "true",
        ];
        match self.below(10) {
            0..=3 => Value::String(self.pick(STRINGS).to_string()),
            4..=6 => self.number(),
            7 | 8 => Value::Bool(self.chance(50)),
            _ => Value::Null,
        }
    }

    fn value(&mut self, depth: usize) -> Value {
        match self.below(if depth == 0 { 2 } else { 4 }) {
            0 | 1 => self.scalar(),
            2 => self.object(depth - 1),
            _ => self.array(depth - 1),
        }
    }

    fn object(&mut self, depth: usize) -> Value {
        let mut map = Map::new();
        for _ in 0..self.below(5) {
            let key = self.key();
            let value = self.value(depth);
            map.insert(key, value);
        }
        Value::Object(map)
    }

    fn array(&mut self, depth: usize) -> Value {
        Value::Array((0..self.below(5)).map(|_| self.value(depth)).collect())
    }

    /// A Kobo post wrapped as `{"form", "body"}` with flat `group/…` keys.
    fn kobo(&mut self) -> Value {
        let mut body = Map::new();
        body.insert("group1/name".into(), self.scalar());
        body.insert("group1/age".into(), self.number());
        if self.chance(70) {
            let tags = self.array(1);
            body.insert("_tags".into(), tags);
        }
        if self.chance(50) {
            let place = json!([self.number(), self.number()]);
            body.insert("_geolocation".into(), place);
        }
        if self.chance(50) {
            let repeat = (0..self.below(4)).map(|_| self.object(1)).collect();
            body.insert("group2/repeat".into(), Value::Array(repeat));
        }
        let form = self.pick(&["my_form", "intake", "other"]).to_string();
        json!({"form": form, "body": body})
    }

    fn document(&mut self) -> Value {
        match self.below(10) {
            0..=4 => self.kobo(),
            5 | 6 => self.object(3),
            7 | 8 => self.array(3),
            _ => self.scalar(),
        }
    }

    /// The same number written the other way (`1` ↔ `1.0`) when there is one.
    fn twin(&mut self, value: &Value) -> Value {
        match value {
            Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap();
                if f.fract() == 0.0 && f.abs() < 1e15 {
                    json!(f as i64)
                } else if f.fract() == 0.0 && f > 0.0 && f < 1.8e19 {
                    json!(f as u64) // the f64's exact value, not its printed decimal
                } else {
                    value.clone()
                }
            }
            // Beyond 2^53 the nearest f64 prints as a different number.
            Value::Number(n) => match n.as_i64() {
                Some(i) if i.unsigned_abs() < 1 << 50 => json!(i as f64),
                _ => json!(n.as_f64().unwrap()),
            },
            _ => value.clone(),
        }
    }

    /// A fragment made from `doc`, contained in it more often than not: parts of it, with
    /// numbers rewritten, and now and then a change that breaks containment.
    fn part_of(&mut self, doc: &Value, top: bool) -> Value {
        if self.chance(4) {
            return self.value(1); // anything at all
        }
        match doc {
            Value::Object(map) => {
                let mut part = Map::new();
                for (key, value) in map {
                    if self.chance(45) {
                        part.insert(key.clone(), self.part_of(value, false));
                    }
                }
                if self.chance(8) {
                    let key = self.key();
                    let value = self.value(1);
                    part.insert(key, value);
                }
                Value::Object(part)
            }
            Value::Array(items) => {
                if top && !items.is_empty() && self.chance(15) {
                    // The top-level exception: an array contains a scalar element.
                    let item = self.pick(items).clone();
                    return if item.is_array() || item.is_object() {
                        self.scalar()
                    } else {
                        self.twin(&item)
                    };
                }
                if !items.is_empty() && self.chance(8) {
                    // Below the top level a scalar never matches an array.
                    return self.pick(items).clone();
                }
                let mut part = Vec::new();
                for _ in 0..self.below(items.len() + 2) {
                    if items.is_empty() || self.chance(10) {
                        part.push(self.value(1));
                    } else {
                        let item = self.pick(items).clone();
                        part.push(self.part_of(&item, false));
                    }
                }
                Value::Array(part)
            }
            scalar => match self.below(10) {
                0..=5 => scalar.clone(),
                6 | 7 => self.twin(scalar),
                8 if top => json!([scalar.clone()]), // a scalar never contains an array
                _ => self.scalar(),
            },
        }
    }
}

/// `doc::jsonb @> fragment::jsonb` for every pair, in batches of a thousand.
async fn postgres_contains(pool: &PgPool, pairs: &[(Value, Value)]) -> Vec<bool> {
    let mut answers = Vec::with_capacity(pairs.len());
    for batch in pairs.chunks(1000) {
        let docs: Vec<String> = batch.iter().map(|(d, _)| d.to_string()).collect();
        let fragments: Vec<String> = batch.iter().map(|(_, f)| f.to_string()).collect();
        let rows: Vec<bool> = sqlx::query_scalar(
            "SELECT d::jsonb @> f::jsonb \
             FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(d, f, i) ORDER BY i",
        )
        .bind(&docs)
        .bind(&fragments)
        .fetch_all(pool)
        .await
        .expect("PostgreSQL evaluates the batch");
        answers.extend(rows);
    }
    answers
}

#[tokio::test]
async fn contains_agrees_with_postgres_jsonb_containment() {
    let pool = database().await;
    let mut gen = Gen(0xf17e_5eed);
    let pairs: Vec<(Value, Value)> = (0..PAIRS)
        .map(|_| {
            let doc = gen.document();
            let fragment = gen.part_of(&doc, true);
            (doc, fragment)
        })
        .collect();
    let expected = postgres_contains(&pool, &pairs).await;
    assert_eq!(expected.len(), pairs.len());

    let disagreements: Vec<String> = pairs
        .iter()
        .zip(&expected)
        .filter(|((doc, fragment), &pg)| contains(doc, fragment) != pg)
        .map(|((doc, fragment), pg)| format!("  {doc} @> {fragment}: PostgreSQL says {pg}"))
        .collect();
    let matching = expected.iter().filter(|&&m| m).count();
    println!(
        "filters_pg: {} pairs, {matching} contained per PostgreSQL, {} disagreements",
        pairs.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} pairs disagree with PostgreSQL, e.g.:\n{}",
        disagreements.len(),
        pairs.len(),
        disagreements[..disagreements.len().min(10)].join("\n")
    );
    // The corpus must exercise both answers, and the special cases, to prove anything.
    assert!(
        matching > PAIRS / 4 && matching < PAIRS * 3 / 4,
        "{matching} of {PAIRS} contained"
    );
    let top_scalar_hits = pairs
        .iter()
        .zip(&expected)
        .filter(|((d, f), &pg)| pg && d.is_array() && !f.is_array() && !f.is_object())
        .count();
    assert!(
        top_scalar_hits > 10,
        "only {top_scalar_hits} array @> scalar matches"
    );
}

#[tokio::test]
async fn message_filters_agree_with_postgres() {
    let pool = database().await;
    let mut gen = Gen(0x0e7c_10de);
    let mut cases: Vec<(Value, MessageFilter)> = vec![
        // The Kobo case: wrapped posts, one form, test submissions excluded.
        (
            json!({"form": "my_form", "body": {"group1/name": "Ada", "test": true}}),
            serde_json::from_value(json!({
                "inclusion": {"form": "my_form"},
                "exclusion": {"body": {"test": true}}
            }))
            .unwrap(),
        ),
        (
            json!({"form": "my_form", "body": {"group1/name": "Ada", "test": false}}),
            serde_json::from_value(json!({
                "inclusion": {"form": "my_form"},
                "exclusion": {"body": {"test": true}}
            }))
            .unwrap(),
        ),
        (
            json!({"form": "my_form", "body": {"_tags": ["spam", "x"]}}),
            serde_json::from_value(json!({
                "inclusion": {"body": {}},
                "exclusion": {"body": {"_tags": ["spam"]}}
            }))
            .unwrap(),
        ),
        (
            json!({"form": "intake", "body": {"group1/age": 36}}),
            serde_json::from_value(json!({"inclusion": {"body": {"group1/age": 36.0}}})).unwrap(),
        ),
    ];
    for _ in 0..FILTERS {
        let doc = gen.document();
        let inclusion = gen.part_of(&doc, true);
        let exclusion = gen.chance(80).then(|| gen.part_of(&doc, true));
        cases.push((
            doc,
            MessageFilter {
                inclusion,
                exclusion,
            },
        ));
    }

    let docs: Vec<String> = cases.iter().map(|(d, _)| d.to_string()).collect();
    let inclusions: Vec<String> = cases.iter().map(|(_, f)| f.inclusion.to_string()).collect();
    let exclusions: Vec<Option<String>> = cases
        .iter()
        .map(|(_, f)| f.exclusion.as_ref().map(Value::to_string))
        .collect();
    let expected: Vec<bool> = sqlx::query_scalar(
        "SELECT d::jsonb @> inc::jsonb AND NOT coalesce(d::jsonb @> exc::jsonb, false) \
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(d, inc, exc, i) \
         ORDER BY i",
    )
    .bind(&docs)
    .bind(&inclusions)
    .bind(&exclusions)
    .fetch_all(&pool)
    .await
    .expect("PostgreSQL evaluates the filters");

    assert_eq!(
        expected[..4],
        [false, true, false, true],
        "the hand-written cases"
    );
    let mut disagreements = Vec::new();
    for ((doc, filter), &pg) in cases.iter().zip(&expected) {
        if filter.matches(doc) != pg {
            disagreements.push(format!("  {doc} with {filter:?}: PostgreSQL says {pg}"));
        }
    }
    let matching = expected.iter().filter(|&&m| m).count();
    let excluded = cases
        .iter()
        .zip(&expected)
        .filter(|((d, f), &pg)| !pg && contains(d, &f.inclusion))
        .count();
    println!(
        "filters_pg: {} filters, {matching} match, {excluded} excluded, {} disagreements",
        cases.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} filters disagree with PostgreSQL, e.g.:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(10)].join("\n")
    );
    assert!(
        matching > 100 && excluded > 100,
        "{matching} match, {excluded} excluded"
    );
}

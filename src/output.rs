//! Rendering of results on stdout, as text or as JSON: responses (proto3
//! JSON) and whole documents such as bench's report. Nothing else in the
//! program prints results.

use std::io::{self, Write};

use prost_reflect::{DynamicMessage, SerializeOptions};

use crate::proto::{self, HelloResponse, MessageResponse, Quote, Summary};

/// How responses (and errors) are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Plain text, for people and `cut`/`awk`.
    #[default]
    Text,
    /// Proto3 JSON, one line per response or report.
    Json,
    /// CSV (bench --sweep only): a header line, then one line per step.
    Csv,
}

/// Serialises one of our messages in the canonical proto3 JSON mapping
/// (lowerCamelCase names, enums by name). Default values are emitted so that
/// scripts see every field, as grpcurl's `-emit-defaults` does.
pub fn to_json<M: prost::Name>(message: &M) -> String {
    let descriptor = proto::message_descriptor::<M>();
    let mut dynamic = DynamicMessage::new(descriptor);
    // Same schema on both sides: transcoding our own message cannot fail.
    dynamic
        .transcode_from(message)
        .expect("message matches its descriptor");
    let options = SerializeOptions::new().skip_default_fields(false);
    let mut serializer = serde_json::Serializer::new(Vec::new());
    dynamic
        .serialize_with_options(&mut serializer, &options)
        .expect("serialising to memory cannot fail");
    String::from_utf8(serializer.into_inner()).expect("serde_json writes UTF-8")
}

/// Something printed whole, as text for people or as one JSON object.
pub trait Document {
    /// The text form, ending with a newline.
    fn to_text(&self) -> String;
    /// The JSON form, on one line, without the newline.
    fn write_json(&self, out: &mut dyn Write) -> io::Result<()>;
}

/// Writes responses to a sink, one line each, flushed as they come so that a
/// reader of a pipe sees stream responses as they arrive.
pub struct Printer<W: Write> {
    format: Format,
    out: W,
}

impl<W: Write> Printer<W> {
    pub fn new(format: Format, out: W) -> Self {
        Self { format, out }
    }

    pub fn hello(&mut self, response: &HelloResponse) -> io::Result<()> {
        match self.format {
            Format::Text | Format::Csv => writeln!(self.out, "{}", response.msg)?,
            Format::Json => writeln!(self.out, "{}", to_json(response))?,
        }
        self.out.flush()
    }

    pub fn message(&mut self, response: &MessageResponse) -> io::Result<()> {
        match self.format {
            Format::Text | Format::Csv => {
                writeln!(self.out, "{}\t{}", response.code, response.message)?
            }
            Format::Json => writeln!(self.out, "{}", to_json(response))?,
        }
        self.out.flush()
    }

    /// `SEQ<TAB>SYMBOL<TAB>PRICE`, the price with two decimals.
    pub fn quote(&mut self, quote: &Quote) -> io::Result<()> {
        match self.format {
            Format::Text | Format::Csv => writeln!(
                self.out,
                "{}\t{}\t{:.2}",
                quote.seq, quote.symbol, quote.price
            )?,
            Format::Json => writeln!(self.out, "{}", to_json(quote))?,
        }
        self.out.flush()
    }

    /// `count=N min=X max=X mean=X devices=A,B` on one line, the values
    /// rounded for people (JSON keeps them exact).
    pub fn summary(&mut self, summary: &Summary) -> io::Result<()> {
        match self.format {
            Format::Text | Format::Csv => writeln!(
                self.out,
                "count={} min={} max={} mean={} devices={}",
                summary.count,
                significant(summary.min),
                significant(summary.max),
                significant(summary.mean),
                summary.devices.join(",")
            )?,
            Format::Json => writeln!(self.out, "{}", to_json(summary))?,
        }
        self.out.flush()
    }

    /// A message of any schema (`call`): indented proto3 JSON, or one
    /// compact line with `-o json`. Fields at their default value only with
    /// `emit_defaults`.
    pub fn dynamic(&mut self, message: &DynamicMessage, emit_defaults: bool) -> io::Result<()> {
        let options = SerializeOptions::new().skip_default_fields(!emit_defaults);
        let written = match self.format {
            Format::Text | Format::Csv => {
                let mut serializer = serde_json::Serializer::pretty(&mut self.out);
                message.serialize_with_options(&mut serializer, &options)
            }
            Format::Json => {
                let mut serializer = serde_json::Serializer::new(&mut self.out);
                message.serialize_with_options(&mut serializer, &options)
            }
        };
        // A closed stdout stays a broken pipe (exit 0, as for every command).
        written.map_err(|err| match err.io_error_kind() {
            Some(kind) => io::Error::from(kind),
            None => io::Error::other(err),
        })?;
        writeln!(self.out)?;
        self.out.flush()
    }

    /// Lines of text (`list`, `describe`), or with `-o json` one compact
    /// object per line: the text's lines and the objects are two views of
    /// the same items.
    pub fn lines_or_json(&mut self, text: &str, objects: &[serde_json::Value]) -> io::Result<()> {
        match self.format {
            Format::Text | Format::Csv => self.text(text),
            Format::Json => {
                for object in objects {
                    writeln!(self.out, "{object}")?;
                }
                self.out.flush()
            }
        }
    }

    /// Lines of text as they are (`list`, `describe`).
    pub fn text(&mut self, text: &str) -> io::Result<()> {
        write!(self.out, "{text}")?;
        if !text.is_empty() && !text.ends_with('\n') {
            writeln!(self.out)?;
        }
        self.out.flush()
    }

    /// A whole document (a report, say): its text, or one JSON object.
    pub fn document(&mut self, document: &impl Document) -> io::Result<()> {
        match self.format {
            Format::Text | Format::Csv => write!(self.out, "{}", document.to_text())?,
            Format::Json => {
                document.write_json(&mut self.out)?;
                writeln!(self.out)?;
            }
        }
        self.out.flush()
    }

    #[cfg(test)]
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// `value` to 6 significant digits with trailing zeros dropped, as C's
/// `%g` but without an exponent from 1e-6 to 1e15 (20.932299999999994 →
/// 20.9323, 0.1 + 0.2 → 0.3): readings have any scale, so a fixed number of
/// decimals (the price's two) would print a small value as 0.00.
fn significant(value: f64) -> String {
    fn trim(number: &str) -> &str {
        if number.contains('.') {
            number.trim_end_matches('0').trim_end_matches('.')
        } else {
            number
        }
    }
    if value == 0.0 || !value.is_finite() {
        // Also turns -0 into 0.
        return if value == 0.0 {
            "0".to_owned()
        } else {
            value.to_string()
        };
    }
    let magnitude = value.abs().log10().floor();
    if (-6.0..15.0).contains(&magnitude) {
        // 6 significant digits: 5 - magnitude decimals, at least none.
        let decimals = (5.0 - magnitude).max(0.0) as usize;
        trim(&format!("{value:.decimals$}")).to_owned()
    } else {
        let text = format!("{value:.5e}");
        match text.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trim(mantissa)),
            None => text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: Format, f: impl FnOnce(&mut Printer<Vec<u8>>) -> io::Result<()>) -> String {
        let mut printer = Printer::new(format, Vec::new());
        f(&mut printer).expect("writing to memory");
        String::from_utf8(printer.into_inner()).expect("utf-8")
    }

    #[test]
    fn hello_text_is_the_message_alone() {
        let out = render(Format::Text, |p| {
            p.hello(&HelloResponse {
                msg: "hello, zhangjian".into(),
            })
        });
        assert_eq!(out, "hello, zhangjian\n");
    }

    #[test]
    fn hello_json_is_proto3_json() {
        let out = render(Format::Json, |p| {
            p.hello(&HelloResponse {
                msg: "hello, zhangjian".into(),
            })
        });
        assert_eq!(out, "{\"msg\":\"hello, zhangjian\"}\n");
    }

    #[test]
    fn stream_responses_render_as_tab_separated_text_or_ndjson() {
        let response = MessageResponse {
            code: 200,
            message: "doing".into(),
        };
        assert_eq!(
            render(Format::Text, |p| p.message(&response)),
            "200\tdoing\n"
        );
        assert_eq!(
            render(Format::Json, |p| p.message(&response)),
            "{\"code\":200,\"message\":\"doing\"}\n"
        );
    }

    #[test]
    fn quotes_render_with_two_decimals_or_as_proto3_json() {
        let quote = Quote {
            symbol: "AAPL".into(),
            seq: 3,
            price: 121.9,
            time_unix_ms: 1_700_000_000_000,
        };
        assert_eq!(
            render(Format::Text, |p| p.quote(&quote)),
            "3\tAAPL\t121.90\n"
        );
        assert_eq!(
            render(Format::Json, |p| p.quote(&quote)),
            "{\"symbol\":\"AAPL\",\"seq\":\"3\",\"price\":121.9,\"timeUnixMs\":\"1700000000000\"}\n"
        );
    }

    #[test]
    fn a_summary_is_one_line_or_one_object() {
        let summary = Summary {
            count: 3,
            min: -1.5,
            max: 4.0,
            mean: 1.25,
            devices: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            render(Format::Text, |p| p.summary(&summary)),
            "count=3 min=-1.5 max=4 mean=1.25 devices=a,b\n"
        );
        assert_eq!(
            render(Format::Json, |p| p.summary(&summary)),
            "{\"count\":\"3\",\"min\":-1.5,\"max\":4.0,\"mean\":1.25,\"devices\":[\"a\",\"b\"]}\n"
        );
    }

    #[test]
    fn summary_text_is_rounded_and_json_exact() {
        let summary = Summary {
            count: 100,
            min: 0.1 + 0.2,
            max: 0.000_012_345_678,
            mean: 20.932_299_999_999_994,
            devices: vec!["a".into()],
        };
        assert_eq!(
            render(Format::Text, |p| p.summary(&summary)),
            "count=100 min=0.3 max=0.0000123457 mean=20.9323 devices=a\n"
        );
        assert_eq!(
            render(Format::Json, |p| p.summary(&summary)),
            "{\"count\":\"100\",\"min\":0.30000000000000004,\"max\":0.000012345678,\"mean\":20.932299999999994,\"devices\":[\"a\"]}\n"
        );
    }

    #[test]
    fn significant_keeps_six_digits_at_any_scale() {
        for (value, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (2.833_333_333_333_333_5, "2.83333"),
            (-0.5, "-0.5"),
            (25.0, "25"),
            (99.999_999, "100"),
            (1_234_567.891, "1234568"),
            (1e20, "1e20"),
            (-2.5e-9, "-2.5e-9"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(significant(value), text, "{value:e}");
        }
    }

    #[test]
    fn json_emits_default_values() {
        let out = render(Format::Json, |p| p.message(&MessageResponse::default()));
        assert_eq!(out, "{\"code\":0,\"message\":\"\"}\n");
    }
}

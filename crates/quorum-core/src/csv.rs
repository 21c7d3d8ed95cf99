//! CSV as spreadsheets read it: for the results the hub and the laptops write.

/// One CSV line. Quoted where RFC 4180 needs it; a field a spreadsheet would run as a
/// formula (a comment is the member's own text) is prefixed with `'`.
pub fn line(fields: &[&str]) -> String {
    fields
        .iter()
        .map(|field| {
            let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{field}")
            } else {
                (*field).to_string()
            };
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_where_needed_and_formulas_are_defused() {
        assert_eq!(
            line(&["agree", "Đồng ý", "2"]),
            "agree,Đồng ý,2",
            "plain fields stay as they are"
        );
        assert_eq!(
            line(&["Có, nhưng \"bổ sung\"\nsố liệu"]),
            "\"Có, nhưng \"\"bổ sung\"\"\nsố liệu\"",
            "commas, quotes and line breaks are quoted, quotes doubled"
        );
        assert_eq!(
            line(&["=HYPERLINK(\"x\")"]),
            "\"'=HYPERLINK(\"\"x\"\")\"",
            "a comment cannot run as a spreadsheet formula"
        );
    }
}

//! Signing a PDF as PAdES B-B (`ETSI.CAdES.detached`): an incremental update adds an
//! invisible signature field on the first page, and a CMS signature over every byte of
//! the file but its own, made by a key the caller holds (a USB token, a file). The
//! signed revision's bytes are kept as they were: nothing already there is rewritten.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tag};
use ring::digest;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;

use crate::syntax::{Dictionary, Lexer, Reference, Token, find_all, objects, rfind};

const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");

/// Room kept for the CMS signature, in bytes: a certificate chain of a few RSA 4096
/// certificates with room to spare.
const SIGNATURE_ROOM: usize = 16 * 1024;
/// Ten digits: the widest a /ByteRange number of a file under 10 GB needs.
const RANGE_PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

/// How a key signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA PKCS#1 v1.5 over SHA-256.
    RsaSha256,
    /// ECDSA over SHA-256, the signature DER-encoded.
    EcdsaSha256,
}

/// A private key and its certificate, wherever the key lives.
pub trait SigningKey {
    /// The signer's certificate, DER.
    fn certificate(&self) -> &[u8];
    /// The certificates between the signer's and a root, DER, carried in the signature
    /// so a reader can build the path.
    fn chain(&self) -> &[Vec<u8>];
    fn algorithm(&self) -> KeyAlgorithm;
    /// Signs `message` (hashed with SHA-256 by the key's mechanism or the caller).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError>;
}

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("Quorum cannot sign this PDF yet: {0}")]
    Unsupported(&'static str),
    #[error("the PDF's structure cannot be read: {0}")]
    Malformed(&'static str),
    #[error("the signer's certificate cannot be read: {0}")]
    Certificate(String),
    #[error("the key did not sign: {0}")]
    Key(String),
    #[error("the signature is larger than the room kept for it")]
    TooLarge,
}

impl From<der::Error> for SigningError {
    fn from(error: der::Error) -> Self {
        Self::Certificate(error.to_string())
    }
}

/// What the signer states with the signature.
#[derive(Clone, Debug)]
pub struct Signing<'a> {
    /// Why they sign ("Xác nhận kết quả biểu quyết").
    pub reason: Option<&'a str>,
    pub location: Option<&'a str>,
    /// The time written as the signing time (the laptop's clock: readers say so).
    pub at: DateTime<Utc>,
    /// Written under the signature as the document information's `/Keywords`: what a
    /// program is to read of the signed document (a results' audit statement).
    pub keywords: Option<&'a str>,
}

/// `pdf` with a PAdES B-B signature by `key` added as an incremental update.
pub fn sign_pdf(
    pdf: &[u8],
    key: &dyn SigningKey,
    signing: &Signing,
) -> Result<Vec<u8>, SigningError> {
    let file = LastRevision::read(pdf)?;
    let (mut out, contents) = prepare_update(pdf, &file, signing)?;
    let byte_range = [0, contents.start, contents.end, out.len() - contents.end];
    let written = format!("[0 {} {} {}", byte_range[1], byte_range[2], byte_range[3]);
    let padded = format!("{written:<width$}]", width = RANGE_PLACEHOLDER.len() - 1);
    out[contents.range_at..contents.range_at + padded.len()].copy_from_slice(padded.as_bytes());

    let mut context = digest::Context::new(&digest::SHA256);
    context.update(&out[..contents.start]);
    context.update(&out[contents.end..]);
    let signature = cms_signature(context.finish().as_ref(), key)?;
    let hex = hex::encode_upper(&signature);
    // The placeholder is `<` zeros `>`: the signature's hex goes after the `<`.
    if hex.len() > contents.end - contents.start - 2 {
        return Err(SigningError::TooLarge);
    }
    out[contents.start + 1..contents.start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// What the update needs of the file's last revision.
struct LastRevision {
    trailer: Dictionary,
    /// Where its cross-reference table starts.
    xref_at: usize,
    /// The last definition of each object: its offset just past `obj`.
    offsets: HashMap<u64, usize>,
}

impl LastRevision {
    fn read(pdf: &[u8]) -> Result<Self, SigningError> {
        let startxref = rfind(pdf, b"startxref").ok_or(SigningError::Malformed("no startxref"))?;
        let xref_at = match Lexer::new(pdf, startxref + 9).next_token() {
            Some(Token::Word(word)) => std::str::from_utf8(&word)
                .ok()
                .and_then(|text| text.parse::<usize>().ok()),
            _ => None,
        }
        .ok_or(SigningError::Malformed("startxref names no offset"))?;
        if !pdf
            .get(xref_at..)
            .is_some_and(|rest| rest.starts_with(b"xref"))
        {
            return Err(SigningError::Unsupported(
                "its cross-references are compressed (a stream)",
            ));
        }
        let trailer_at = find_all(&pdf[xref_at..], b"trailer")
            .next()
            .ok_or(SigningError::Malformed("no trailer"))?;
        let trailer = Lexer::new(pdf, xref_at + trailer_at + 7)
            .dictionary()
            .ok_or(SigningError::Malformed("the trailer cannot be read"))?;
        if trailer.has(b"Encrypt") {
            return Err(SigningError::Unsupported("it is encrypted"));
        }
        Ok(Self {
            trailer,
            xref_at,
            offsets: objects(pdf).into_iter().collect(),
        })
    }

    /// The dictionary of the object `reference` names.
    fn dictionary(&self, pdf: &[u8], reference: Reference) -> Result<Dictionary, SigningError> {
        let at = *self
            .offsets
            .get(&reference.number)
            .ok_or(SigningError::Malformed("an object it names is missing"))?;
        Lexer::new(pdf, at)
            .dictionary()
            .ok_or(SigningError::Unsupported(
                "an object it names is not a plain dictionary",
            ))
    }
}

/// Where the update's placeholders are: the `<…>` of /Contents and the /ByteRange array.
struct Placeholders {
    start: usize,
    end: usize,
    range_at: usize,
}

/// The file with the update appended, its signature still zeros.
fn prepare_update(
    pdf: &[u8],
    file: &LastRevision,
    signing: &Signing,
) -> Result<(Vec<u8>, Placeholders), SigningError> {
    let root = Reference::of(file.trailer.0.get(&b"Root"[..]))
        .ok_or(SigningError::Malformed("the trailer names no catalog"))?;
    let mut catalog = file.dictionary(pdf, root)?;
    if catalog.has(b"Perms") {
        return Err(SigningError::Unsupported(
            "it is certified against further changes",
        ));
    }
    let (page_reference, mut page) = first_page(pdf, file, &catalog)?;
    let size = match file.trailer.0.get(&b"Size"[..]).map(Vec::as_slice) {
        Some([Token::Word(size)]) => std::str::from_utf8(size).ok().and_then(|s| s.parse().ok()),
        _ => None,
    }
    .ok_or(SigningError::Malformed("the trailer gives no size"))?;
    let signature = Reference {
        number: size,
        generation: 0,
    };
    let field = Reference {
        number: size + 1,
        generation: 0,
    };

    add_reference(
        &mut page,
        b"Annots",
        field,
        "its first page keeps its annotations in another object",
    )?;
    // A form already there (an earlier signature's) gets one more field, where it is.
    let (form_object, mut form) = match catalog.0.get(&b"AcroForm"[..]) {
        None => (None, Dictionary::default()),
        Some(tokens) if tokens.first() == Some(&Token::DictStart) => {
            let written = serialize(tokens);
            let form = Lexer::new(&written, 0)
                .dictionary()
                .ok_or(SigningError::Malformed("its form cannot be read"))?;
            (None, form)
        }
        Some(tokens) => {
            let reference = Reference::of(Some(tokens))
                .ok_or(SigningError::Malformed("its form cannot be read"))?;
            (Some(reference), file.dictionary(pdf, reference)?)
        }
    };
    add_reference(
        &mut form,
        b"Fields",
        field,
        "its form keeps its fields in another object",
    )?;
    form.0
        .insert(b"SigFlags".to_vec(), vec![Token::Word(b"3".to_vec())]);
    if form_object.is_none() {
        catalog
            .0
            .insert(b"AcroForm".to_vec(), dictionary_tokens(&form));
    }

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut written = Vec::new();
    let mut object = |out: &mut Vec<u8>, reference: Reference, body: &[u8]| {
        written.push((reference, out.len()));
        out.extend(format!("{} {} obj\n", reference.number, reference.generation).as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    };
    object(&mut out, root, &serialize_dictionary(&catalog));
    if let Some(reference) = form_object {
        object(&mut out, reference, &serialize_dictionary(&form));
    }
    object(&mut out, page_reference, &serialize_dictionary(&page));
    let field_body = format!(
        "<< /Type /Annot /Subtype /Widget /FT /Sig /F 132 /Rect [0 0 0 0] /T (Quorum{}) /V {} 0 R /P {} {} R >>",
        signature.number, signature.number, page_reference.number, page_reference.generation
    );
    object(&mut out, field, field_body.as_bytes());

    let mut body = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M (D:{})",
        signing.at.format("%Y%m%d%H%M%S+00'00'")
    )
    .into_bytes();
    for (key, text) in [("Reason", signing.reason), ("Location", signing.location)] {
        if let Some(text) = text {
            body.extend(format!(" /{key} <{}>", text_string_hex(text)).as_bytes());
        }
    }
    body.extend(b" /ByteRange ");
    let range_at = body.len();
    body.extend(RANGE_PLACEHOLDER.as_bytes());
    body.extend(b" /Contents ");
    let contents_at = body.len();
    body.push(b'<');
    body.extend(std::iter::repeat_n(b'0', SIGNATURE_ROOM * 2));
    body.extend(b"> >>");
    let signature_object_at = out.len();
    let header = format!("{} 0 obj\n", signature.number).len();
    object(&mut out, signature, &body);
    let placeholders = Placeholders {
        start: signature_object_at + header + contents_at,
        end: signature_object_at + header + contents_at + SIGNATURE_ROOM * 2 + 2,
        range_at: signature_object_at + header + range_at,
    };
    let info = match signing.keywords {
        None => None,
        Some(keywords) => {
            let mut info = match Reference::of(file.trailer.0.get(&b"Info"[..])) {
                Some(reference) => file.dictionary(pdf, reference)?,
                None => Dictionary::default(),
            };
            let mut text = vec![0xFE, 0xFF];
            text.extend(keywords.encode_utf16().flat_map(u16::to_be_bytes));
            info.0
                .insert(b"Keywords".to_vec(), vec![Token::String(text)]);
            let reference = Reference {
                number: size + 2,
                generation: 0,
            };
            object(&mut out, reference, &serialize_dictionary(&info));
            Some(reference)
        }
    };

    let xref_at = out.len();
    written.sort_by_key(|(reference, _)| reference.number);
    out.extend(b"xref\n");
    for (reference, offset) in &written {
        out.extend(
            format!(
                "{} 1\n{offset:010} {:05} n\r\n",
                reference.number, reference.generation
            )
            .as_bytes(),
        );
    }
    let mut trailer = Dictionary::default();
    let objects_added = if info.is_some() { 3 } else { 2 };
    trailer.0.insert(
        b"Size".to_vec(),
        vec![Token::Word((size + objects_added).to_string().into_bytes())],
    );
    trailer.0.insert(b"Root".to_vec(), root.tokens());
    trailer.0.insert(
        b"Prev".to_vec(),
        vec![Token::Word(file.xref_at.to_string().into_bytes())],
    );
    for kept in [&b"Info"[..], b"ID"] {
        if let Some(value) = file.trailer.0.get(kept) {
            trailer.0.insert(kept.to_vec(), value.clone());
        }
    }
    if let Some(info) = info {
        trailer.0.insert(b"Info".to_vec(), info.tokens());
    }
    out.extend(b"trailer\n");
    out.extend(serialize_dictionary(&trailer));
    out.extend(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok((out, placeholders))
}

/// Adds `reference` to the array `dictionary` holds under `key` (a new one if it holds
/// none); an array kept in another object is refused with `elsewhere`.
fn add_reference(
    dictionary: &mut Dictionary,
    key: &[u8],
    reference: Reference,
    elsewhere: &'static str,
) -> Result<(), SigningError> {
    let mut array = match dictionary.0.remove(key) {
        None => vec![Token::ArrayStart, Token::ArrayEnd],
        Some(array) if array.first() == Some(&Token::ArrayStart) => array,
        Some(_) => return Err(SigningError::Unsupported(elsewhere)),
    };
    array.splice(array.len() - 1..array.len() - 1, reference.tokens());
    dictionary.0.insert(key.to_vec(), array);
    Ok(())
}

/// The first page of the catalog's page tree, and where it is.
fn first_page(
    pdf: &[u8],
    file: &LastRevision,
    catalog: &Dictionary,
) -> Result<(Reference, Dictionary), SigningError> {
    let mut node = Reference::of(catalog.0.get(&b"Pages"[..]))
        .ok_or(SigningError::Malformed("the catalog names no pages"))?;
    // A page tree is shallow; a loop in a damaged one must not hang the signer.
    for _ in 0..64 {
        let dictionary = file.dictionary(pdf, node)?;
        if dictionary.name(b"Type") == Some(b"Page") {
            return Ok((node, dictionary));
        }
        let first_kid = dictionary
            .0
            .get(&b"Kids"[..])
            .and_then(|kids| kids.get(1..4));
        node = Reference::of(first_kid.map(<[Token]>::to_vec).as_ref())
            .ok_or(SigningError::Malformed("the page tree has no first page"))?;
    }
    Err(SigningError::Malformed("the page tree is too deep"))
}

/// A PDF text string as UTF-16BE with its byte-order mark, in hexadecimal: every
/// Vietnamese letter survives.
fn text_string_hex(text: &str) -> String {
    let mut hex = String::from("FEFF");
    for unit in text.encode_utf16() {
        hex.push_str(&format!("{unit:04X}"));
    }
    hex
}

fn dictionary_tokens(dictionary: &Dictionary) -> Vec<Token> {
    let mut tokens = vec![Token::DictStart];
    for (key, value) in &dictionary.0 {
        tokens.push(Token::Name(key.clone()));
        tokens.extend(value.iter().cloned());
    }
    tokens.push(Token::DictEnd);
    tokens
}

fn serialize_dictionary(dictionary: &Dictionary) -> Vec<u8> {
    serialize(&dictionary_tokens(dictionary))
}

/// Tokens written back as PDF syntax: strings in hexadecimal, names escaped.
fn serialize(tokens: &[Token]) -> Vec<u8> {
    let mut out = Vec::new();
    for token in tokens {
        match token {
            Token::DictStart => out.extend(b"<<"),
            Token::DictEnd => out.extend(b">>"),
            Token::ArrayStart => out.extend(b"["),
            Token::ArrayEnd => out.extend(b"]"),
            Token::Name(name) => {
                out.push(b'/');
                for &byte in name {
                    if byte.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&byte) {
                        out.push(byte);
                    } else {
                        out.extend(format!("#{byte:02X}").as_bytes());
                    }
                }
            }
            Token::String(bytes) => out.extend(format!("<{}>", hex::encode(bytes)).as_bytes()),
            Token::Word(word) => out.extend(word),
        }
        out.push(b' ');
    }
    out
}

/// The CMS SignedData of a PAdES B-B signature over the range whose SHA-256 is `digest`.
fn cms_signature(digest: &[u8], key: &dyn SigningKey) -> Result<Vec<u8>, SigningError> {
    let certificate = Certificate::from_der(key.certificate())?;
    let sha256 = AlgorithmIdentifierOwned {
        oid: SHA256,
        parameters: None,
    };
    let certificate_hash = digest::digest(&digest::SHA256, key.certificate());
    // SigningCertificateV2 { certs: [ ESSCertIDv2 { certHash } ] } (SHA-256 is its default).
    let ess_cert_id = Any::new(
        Tag::Sequence,
        OctetString::new(certificate_hash.as_ref())?.to_der()?,
    )?;
    let certs = Any::new(Tag::Sequence, ess_cert_id.to_der()?)?;
    let signing_certificate = Any::new(Tag::Sequence, certs.to_der()?)?;
    let attribute = |oid: Oid, value: Any| -> Result<Attribute, SigningError> {
        Ok(Attribute {
            oid,
            values: SetOfVec::try_from(vec![value])?,
        })
    };
    let signed_attrs = SetOfVec::try_from(vec![
        attribute(CONTENT_TYPE, Any::encode_from(&DATA)?)?,
        attribute(
            MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest)?)?,
        )?,
        attribute(SIGNING_CERTIFICATE_V2, signing_certificate)?,
    ])?;
    let signature = key.sign(&signed_attrs.to_der()?)?;
    let signature_algorithm = AlgorithmIdentifierOwned {
        oid: match key.algorithm() {
            KeyAlgorithm::RsaSha256 => SHA256_WITH_RSA,
            KeyAlgorithm::EcdsaSha256 => ECDSA_WITH_SHA256,
        },
        parameters: match key.algorithm() {
            KeyAlgorithm::RsaSha256 => Some(Any::null()),
            KeyAlgorithm::EcdsaSha256 => None,
        },
    };
    let signer = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: certificate.tbs_certificate.issuer.clone(),
            serial_number: certificate.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256.clone(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm,
        signature: OctetString::new(signature)?,
        unsigned_attrs: None,
    };
    let mut carried = vec![CertificateChoices::Certificate(certificate)];
    for der in key.chain() {
        carried.push(CertificateChoices::Certificate(Certificate::from_der(der)?));
    }
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256])?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet::try_from(carried)?),
        crls: None,
        signer_infos: SignerInfos::try_from(vec![signer])?,
    };
    Ok(ContentInfo {
        content_type: SIGNED_DATA,
        content: Any::encode_from(&signed_data)?,
    }
    .to_der()?)
}

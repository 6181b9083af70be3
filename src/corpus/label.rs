//! Ham or spam, and the label a folder's (or file's) name carries.
//!
//! Names are read as words, never as substrings: lower-cased, leading dots
//! dropped (Maildir++ `.Junk`), split at every character that is not a letter
//! or digit, words of digits alone dropped (`spam_2`). Then
//! - `nonspam`, `notspam` or `good` means ham;
//! - `spam` or `junk` means spam, unless the word before it is `non`, `not`
//!   or `no` (`not-spam`, `no_junk`), which means ham;
//! - otherwise `ham` means ham (`easy_ham`, `hard_ham`);
//! - any other name carries no label (`INBOX`, `spamassassin`).

use std::fmt;

/// Ham or spam.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// Wanted mail.
    Ham,
    /// Unwanted mail.
    Spam,
}

/// Words that say "ham" on their own.
const HAM_WORDS: [&str; 3] = ["nonspam", "notspam", "good"];
/// Words that say "spam", unless negated by the word before.
const SPAM_WORDS: [&str; 2] = ["spam", "junk"];
/// Words that negate a following spam word.
const NEGATIONS: [&str; 3] = ["non", "not", "no"];

impl Label {
    /// `true` for spam: the positive class (+1) everywhere in sparsetext.
    pub fn is_spam(self) -> bool {
        self == Label::Spam
    }

    /// The label a folder's or file's name carries, if any (see the module docs).
    ///
    /// ```
    /// use sparsetext::corpus::Label;
    /// assert_eq!(Label::from_folder_name("easy_ham_2"), Some(Label::Ham));
    /// assert_eq!(Label::from_folder_name(".Junk"), Some(Label::Spam));
    /// assert_eq!(Label::from_folder_name("not_spam"), Some(Label::Ham));
    /// assert_eq!(Label::from_folder_name("spamassassin"), None);
    /// ```
    pub fn from_folder_name(name: &str) -> Option<Label> {
        let name = name.to_lowercase();
        let words: Vec<&str> = name
            .trim_start_matches('.')
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
            .collect();
        if words.iter().any(|w| HAM_WORDS.contains(w)) {
            return Some(Label::Ham);
        }
        if let Some(at) = words.iter().position(|w| SPAM_WORDS.contains(w)) {
            let negated = at > 0 && NEGATIONS.contains(&words[at - 1]);
            return Some(if negated { Label::Ham } else { Label::Spam });
        }
        words.contains(&"ham").then_some(Label::Ham)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Label::Ham => "ham",
            Label::Spam => "spam",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_as_words() {
        let cases = [
            ("spam", Some(Label::Spam)),
            ("spam_2", Some(Label::Spam)),
            ("SPAM", Some(Label::Spam)),
            ("easy_ham", Some(Label::Ham)),
            ("easy_ham_2", Some(Label::Ham)),
            ("hard_ham", Some(Label::Ham)),
            ("Junk", Some(Label::Spam)),
            (".Junk", Some(Label::Spam)),
            ("Junk E-mail", Some(Label::Spam)),
            ("nonspam", Some(Label::Ham)),
            ("notspam", Some(Label::Ham)),
            ("not-spam", Some(Label::Ham)),
            ("not_spam", Some(Label::Ham)),
            ("non spam", Some(Label::Ham)),
            ("no-junk", Some(Label::Ham)),
            ("good", Some(Label::Ham)),
            ("spam.mbox", Some(Label::Spam)),
            ("ham.mbox", Some(Label::Ham)),
            ("INBOX", None),
            ("spamassassin", None),
            ("shampoo", None),
            ("graham", None),
            ("2002", None),
            ("", None),
        ];
        for (name, label) in cases {
            assert_eq!(Label::from_folder_name(name), label, "{name:?}");
        }
    }
}

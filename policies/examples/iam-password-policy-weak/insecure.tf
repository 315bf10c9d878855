# Eight characters are guessable, and without reuse prevention a password
# from an old breach comes straight back.
resource "aws_iam_account_password_policy" "this" {
  minimum_password_length        = 8
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = true
  allow_users_to_change_password = true
}

# Each resource holds an expression that would take hours or gigabytes; each is reported at its line.
locals {
  kilo = join("", [for i in range(1024) : "x"])
  mega = join("", [for i in range(1024) : local.kilo])
  # Doubling through locals: 2^40 characters if nothing stopped it.
  d1  = "${local.mega}${local.mega}"
  d2  = "${local.d1}${local.d1}"
  d3  = "${local.d2}${local.d2}"
  d4  = "${local.d3}${local.d3}"
  d5  = "${local.d4}${local.d4}"
  d6  = "${local.d5}${local.d5}"
  d7  = "${local.d6}${local.d6}"
  d8  = "${local.d7}${local.d7}"
  # Nested lists doubling: cheap to build, 2^40 elements to serialize.
  l0  = ["leaf"]
  l1  = [local.l0, local.l0]
  l2  = [local.l1, local.l1]
  l3  = [local.l2, local.l2]
  l4  = [local.l3, local.l3]
  l5  = [local.l4, local.l4]
  l6  = [local.l5, local.l5]
  l7  = [local.l6, local.l6]
  l8  = [local.l7, local.l7]
  l9  = [local.l8, local.l8]
  l10 = [local.l9, local.l9]
  l11 = [local.l10, local.l10]
  l12 = [local.l11, local.l11]
  l13 = [local.l12, local.l12]
  l14 = [local.l13, local.l13]
  l15 = [local.l14, local.l14]
  l16 = [local.l15, local.l15]
  l17 = [local.l16, local.l16]
  l18 = [local.l17, local.l17]
  l19 = [local.l18, local.l18]
  l20 = [local.l19, local.l19]
  l21 = [local.l20, local.l20]
  l22 = [local.l21, local.l21]
  l23 = [local.l22, local.l22]
  l24 = [local.l23, local.l23]
  l25 = [local.l24, local.l24]
}

resource "aws_s3_bucket" "join" {
  bucket = join("", [for i in range(1000000) : "x"])
}

resource "aws_s3_bucket" "nested_for" {
  bucket = length([for i in range(100000) : [for j in range(100000) : j]])
}

resource "aws_s3_bucket" "format" {
  bucket = format("%09999999d", 1)
}

resource "aws_s3_bucket" "doubling" {
  bucket = local.d8
}

resource "aws_s3_bucket" "strrev" {
  bucket = strrev(replace(local.mega, "x", local.mega))
}

resource "aws_s3_bucket" "cidrsubnets" {
  bucket = join(",", cidrsubnets("10.0.0.0/8", [for i in range(100000) : 24]...))
}

resource "aws_s3_bucket" "chomp" {
  # Python's re took hours on this (a quadratic pattern of our own), now linear.
  bucket = chomp("${join("", [for i in range(60000) : "\n"])}x")
}

resource "aws_s3_bucket" "template_for" {
  bucket = "%{for i in range(100000)}%{for j in range(100000)}x%{endfor}%{endfor}"
}

resource "aws_s3_bucket" "jsonencode" {
  policy = jsonencode(local.l25)
}

"""The printer: canonical layout, comments kept, idempotent, and parse(print(tree)) == tree."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import passeur.cli.fmt_cmd  # noqa: F401  (registers the command)
from passeur.cli import cli
from passeur.dsl import ast
from passeur.dsl.parser import parse_text
from passeur.dsl.printer import KEYWORDS, expr_text, format_text

MESSY = """\
# Acomba invoices
mapping   acomba.invoice<->passeur.invoice


table kinds   # the document kinds
    "FACTURES"<->"invoice"
  "SOUMISSIONS"   <-> "quote"

   else ->"other"
end
NoFacture<->number   # the number
   (QteFacture*PrixFinal)+1 -> totals.net when not(TypeDoc="X")
each LigneFacture <-> lines key strNoProduit=product_code
      # a line
      `end` <-> quantity
end
example "one"
  left {"NoFacture": "1"}
  right {"number": "1"}
end
"""

FORMATTED = """\
# Acomba invoices
mapping acomba.invoice <-> passeur.invoice

table kinds   # the document kinds
  "FACTURES"    <-> "invoice"
  "SOUMISSIONS" <-> "quote"

  else           -> "other"
end
NoFacture <-> number  # the number
QteFacture * PrixFinal + 1 -> totals.net when not (TypeDoc = "X")
each LigneFacture <-> lines key strNoProduit = product_code
  # a line
  `end` <-> quantity
end
example "one"
  left {"NoFacture": "1"}
  right {"number": "1"}
end
"""


def test_format_golden() -> None:
    assert format_text(MESSY) == FORMATTED


def test_format_is_idempotent() -> None:
    assert format_text(FORMATTED) == FORMATTED


def test_formatting_keeps_the_meaning() -> None:
    assert parse_text(MESSY).statements == parse_text(FORMATTED).statements


def test_aligned_comments_stay_aligned() -> None:
    text = ('x -> a        # one\n'
            'longer -> b   # two\n'
            'much.longer.path -> c  # pushed right\n')
    assert format_text(text) == text
    assert format_text("x -> a # tight\n") == "x -> a  # tight\n"


def test_needed_parentheses_are_kept() -> None:
    rule = "(a + b) * -(c - d) -> x\n"
    assert format_text(rule) == rule
    assert format_text("a - (b - c) -> x\n") == "a - (b - c) -> x\n"
    assert format_text("(a - b) - c -> x\n") == "a - b - c -> x\n"
    assert format_text("(if a then b else c) + 1 -> x\n") == \
        "(if a then b else c) + 1 -> x\n"


names = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
    st.sampled_from([*sorted(KEYWORDS), "Référence", "Date de facture", "Qté"]),
)
literals = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8),
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False),
    st.booleans(), st.none(),
).map(ast.LiteralValue)
paths = st.lists(names, min_size=1, max_size=3).map(lambda p: ast.Path(tuple(p)))


def _extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.builds(ast.Arith, st.sampled_from("+-*/"), children, children),
        st.builds(ast.Compare, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
                  children, children),
        st.builds(ast.BoolOp, st.sampled_from(["and", "or"]), children, children),
        st.builds(ast.Not, children),
        st.builds(ast.Neg, children),
        st.builds(ast.If, children, children, children),
        st.builds(ast.Call, st.sampled_from(["date", "money", "sum", "upper"]),
                  st.lists(children, max_size=3).map(tuple)),
    )


expressions = st.recursive(st.one_of(literals, paths), _extend, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(expressions, paths)
def test_parse_of_printed_expression_is_the_expression(expr: ast.Expr,
                                                       target: ast.Path) -> None:
    text = f"{expr_text(expr)} -> {expr_text(target)}\n"
    rule = parse_text(text).statements[0]
    assert isinstance(rule, ast.Rule)
    assert rule.left == expr
    assert rule.right == target
    assert format_text(text) == text


def test_negative_number_literals_print_as_negation() -> None:
    expr = ast.Neg(ast.LiteralValue(Decimal("1.5")))
    assert expr_text(expr) == "-1.5"


def test_fmt_command_rewrites_and_check_reports(tmp_path: Path) -> None:
    messy = tmp_path / "a.map"
    messy.write_text(MESSY, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["fmt", "--check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == f"would reformat {messy}\n"
    assert messy.read_text(encoding="utf-8") == MESSY
    result = runner.invoke(cli, ["fmt", str(messy)])
    assert result.exit_code == 0
    assert messy.read_text(encoding="utf-8") == FORMATTED
    result = runner.invoke(cli, ["fmt", "--check", "--json", str(messy)])
    assert result.exit_code == 0
    assert '"unformatted": []' in result.output


def test_fmt_command_reports_syntax_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.map"
    bad.write_text("x x\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["fmt", str(bad)])
    assert result.exit_code == 3
    assert f"{bad}:1:3: syntax error" in result.output


def test_comments_inside_examples_are_kept() -> None:
    text = ('example "x"  # head\n'
            "  # before left\n"
            '  left {"a": 1,\n'
            '        "b": 2}  # after left\n'
            "\n"
            "  # between\n"
            '  right {"b": 2}\n'
            "end  # tail\n")
    assert format_text(text) == text
    example = parse_text(text).statements[0]
    assert isinstance(example, ast.Example)
    assert (example.left, example.right) == ({"a": 1, "b": 2}, {"b": 2})
    assert (example.left_lines, example.right_lines) == ((3, 4), (7, 7))

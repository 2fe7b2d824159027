"""The parser: AST with positions, and syntax errors with position, caret and plain words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from passeur.dsl import ast
from passeur.dsl.parser import get_parser, parse_text
from passeur.dsl.problems import MappingSyntaxError
from passeur.errors import MappingError


def error_of(text: str) -> str:
    with pytest.raises(MappingSyntaxError) as info:
        parse_text(text, "invoice.map")
    return str(info.value)


def test_missing_arrow_names_the_spot_and_the_expected_words() -> None:
    text = "mapping acomba.invoice <-> passeur.invoice\nNoFacture number\n"
    assert error_of(text) == (
        'invoice.map:2:11: syntax error: unexpected name "number"; expected an arrow '
        '(<->, -> or <-), an operator, a dot or "("\n'
        "  NoFacture number\n"
        "            ^")


def test_unfinished_guard_points_after_the_keyword() -> None:
    assert error_of("x <-> y when\n") == (
        "invoice.map:1:13: syntax error: unexpected end of line; expected a value "
        "(a name, a number, a text in quotes...)\n"
        "  x <-> y when\n"
        "              ^")


def test_unclosed_text_says_it_must_close_on_the_line() -> None:
    assert error_of('x -> "abc\n') == (
        'invoice.map:1:6: syntax error: unexpected character "\\"" (a text in quotes must '
        "close on the same line)\n"
        '  x -> "abc\n'
        "       ^")


def test_table_entry_without_value() -> None:
    assert error_of('table t\n  "a" <->\nend\n') == (
        "invoice.map:2:10: syntax error: unexpected end of line; expected a number, a text "
        'in quotes, "false", "null" or "true"\n'
        '    "a" <->\n'
        "           ^")


def test_block_without_end_names_the_block() -> None:
    assert error_of("table t\n  1 <-> 2\nend\neach a <-> b\n  x -> y") == (
        "invoice.map:5:9: syntax error: unexpected end of file: the `each` block opened at "
        "line 4 has no `end`\n"
        "    x -> y\n"
        "          ^")


def test_header_arrow_is_only_both_ways() -> None:
    assert error_of("mapping acomba.invoice -> passeur.invoice\n").splitlines()[0] == (
        'invoice.map:1:24: syntax error: unexpected "->"; expected "<->"')


def test_via_needs_a_table_name() -> None:
    assert error_of("x <-> y via 3\n").splitlines()[0] == (
        'invoice.map:1:13: syntax error: unexpected number "3"; expected a name')


def test_header_needs_a_doctype() -> None:
    assert error_of("mapping acomba <-> passeur.invoice\n").splitlines()[0] == (
        'invoice.map:1:16: syntax error: unexpected "<->"; expected a dot')


def test_bad_json_in_example_points_inside_the_json() -> None:
    text = 'example "x"\n  left {"a": 1,}\n  right {}\nend\n'
    assert error_of(text) == (
        "invoice.map:2:16: invalid JSON in example: Expecting property name enclosed in "
        "double quotes\n"
        '    left {"a": 1,}\n'
        "                 ^")


def test_modifier_twice_is_refused() -> None:
    assert error_of("x -> y when a when b\n").splitlines()[0] == (
        "invoice.map:1:1: `when` is written twice in this rule")


def test_syntax_errors_are_mapping_errors() -> None:
    with pytest.raises(MappingError):
        parse_text("x x\n")


def test_ast_keeps_positions_and_values() -> None:
    text = (
        "mapping acomba.invoice <-> passeur.invoice\n"
        "\n"
        "  QteFacture * PrixFinal -> net_amount when TypeDoc != \"ACHATS\"\n"
        "TypeDoc <-> kind via kinds keep\n"
        "`Date de facture` <-> issue_date\n"
    )
    parsed = parse_text(text, "f.map")
    header, computed, table_rule, quoted = parsed.statements
    assert isinstance(header, ast.Header)
    assert (header.left.system, header.left.doctype, header.left.column) == (
        "acomba", "invoice", 9)
    assert (header.right.text, header.right.column) == ("passeur.invoice", 28)
    assert isinstance(computed, ast.Rule)
    assert (computed.line, computed.column, computed.arrow) == (3, 3, "->")
    assert isinstance(computed.left, ast.Arith)
    assert (computed.left.op, computed.left.line, computed.left.column) == ("*", 3, 14)
    assert computed.left.left == ast.Path(("QteFacture",))
    assert computed.when == ast.Compare("!=", ast.Path(("TypeDoc",)),
                                        ast.LiteralValue("ACHATS"))
    assert isinstance(computed.when, ast.Compare) and computed.when.column == 53
    assert isinstance(table_rule, ast.Rule)
    assert (table_rule.via, table_rule.keep, table_rule.via_column) == ("kinds", True, 18)
    assert isinstance(quoted, ast.Rule)
    assert quoted.left == ast.Path(("Date de facture",))


def test_numbers_are_exact_decimals_and_literals_typed() -> None:
    parsed = parse_text('0.075 -> rate\ntrue -> a\nnull -> b\n"x\\"y" -> c\n')
    values = [s.left.value for s in parsed.statements if isinstance(s, ast.Rule)
              and isinstance(s.left, ast.LiteralValue)]
    assert values == [Decimal("0.075"), True, None, 'x"y']
    assert isinstance(values[0], Decimal)


def test_precedence_of_operators() -> None:
    rule = parse_text("a + b * c = d or not e and f -> x\n").statements[0]
    assert isinstance(rule, ast.Rule)
    assert rule.left == ast.BoolOp(
        "or",
        ast.Compare("=", ast.Arith("+", ast.Path(("a",)),
                                   ast.Arith("*", ast.Path(("b",)), ast.Path(("c",)))),
                    ast.Path(("d",))),
        ast.BoolOp("and", ast.Not(ast.Path(("e",))), ast.Path(("f",))))


def test_each_block_example_and_table() -> None:
    text = (
        "table kinds\n"
        '  "FACTURES" <-> "invoice"\n'
        '  else -> "other"\n'
        "end\n"
        "each LigneFacture <-> lines key strNoProduit = product_code\n"
        "  QteFacture <-> quantity\n"
        "end\n"
        'example "one"\n'
        '  left {"a": 1.50,\n'
        '        "b": [1]}\n'
        '  right {"x": "y"}\n'
        "end\n"
    )
    table, each, example = parse_text(text).statements
    assert isinstance(table, ast.Table) and table.end_line == 4
    assert table.pairs("forward") == [("FACTURES", "invoice")]
    fallback = table.fallback("forward")
    assert fallback is not None and fallback.right == ast.LiteralValue("other")
    assert isinstance(each, ast.Each)
    assert each.key == (ast.Path(("strNoProduit",)), ast.Path(("product_code",)))
    assert len(each.body) == 1 and each.end_line == 7
    assert isinstance(example, ast.Example)
    assert example.left == {"a": Decimal("1.50"), "b": [1]}
    assert example.right == {"x": "y"}
    assert (example.line, example.end_line) == (8, 12)


def test_iter_rules_gives_prefixes_and_directions() -> None:
    text = (
        "NoFacture <-> number\n"
        "each LigneFacture -> lines\n"
        "  PrixFinal <-> unit_price_net\n"
        "  sum(Taxes, Montant) -> tax_amount\n"
        "end\n"
    )
    rules = list(ast.iter_rules(parse_text(text)))
    assert [r.rule.line for r in rules] == [1, 3, 4]
    assert rules[1].left_prefix == ("LigneFacture",)
    assert rules[1].right_prefix == ("lines",)
    assert rules[1].directions == frozenset({"forward"})
    assert [p.parts for p in rules[2].sides()["left"]] == [("Taxes",), ("Taxes", "Montant")]


def test_comments_are_collected_for_the_printer() -> None:
    parsed = parse_text("# top\nx -> y  # trailing\n")
    assert parsed.comments == ((1, "# top"), (2, "# trailing"))


def test_parser_is_built_once() -> None:
    assert get_parser() is get_parser()

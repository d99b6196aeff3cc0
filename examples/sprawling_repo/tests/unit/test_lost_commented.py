"""Cart totals. A bulk "syntax fix" script commented two tests out: the file compiles and
collects one test, and nothing but CANON701 says that two are gone."""


def cart_total(items):
    return sum(price * quantity for price, quantity in items)


def test_empty_cart():
    assert cart_total([]) == 0


# REMOVED_SYNTAX_ERROR: def test_single_item():
    # REMOVED_SYNTAX_ERROR: assert cart_total([(3, 2)]) == 6


# def test_many_items():
#     assert cart_total([(1, 1), (2, 3)]) == 7

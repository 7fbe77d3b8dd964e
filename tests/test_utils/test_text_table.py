from gle.utils import format_table


def test_first_column_left_others_right_two_spaces():
    text = format_table([['Subset', 'L.Collar', 'Avg'], ['all', '.0312', '-'],
                         ['#visible all', 7, 12]])
    assert text.split('\n') == [
        'Subset        L.Collar  Avg',
        'all              .0312    -',
        '#visible all         7   12',
    ]


def test_header_rule():
    assert format_table([['a', 'bb'], ['ccc', 1]], header_rule=True) == \
        'a    bb\n---  --\nccc   1'

"""write_table writes what read_table (the raw-list reader) reads back."""
from gle.datasets.raw_annotation import read_table, write_table


def test_round_trip_with_padded_and_token_rows(tmp_path):
    path = tmp_path / 'Anno' / 'list_bbox.txt'
    write_table(
        str(path), 'image_name  x_1  y_1  x_2  y_2', [
            'img/a.jpg      001 002 030 040',
            ['img/b.jpg', '5', '6', '70', '80']
        ])
    assert path.read_bytes() == (b'2\nimage_name  x_1  y_1  x_2  y_2\n'
                                 b'img/a.jpg      001 002 030 040\n'
                                 b'img/b.jpg 5 6 70 80\n')
    header, rows = read_table(str(path))
    assert header == ['image_name', 'x_1', 'y_1', 'x_2', 'y_2']
    assert rows == [(3, ['img/a.jpg', '001', '002', '030', '040']),
                    (4, ['img/b.jpg', '5', '6', '70', '80'])]


def test_count_override(tmp_path):
    path = tmp_path / 'list.txt'
    write_table(
        str(path), 'image_name  evaluation_status', ['a train'], count=3)
    assert path.read_text().split('\n')[0] == '3'

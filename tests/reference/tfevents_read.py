#!/usr/bin/python3
"""Reads TensorBoard event files, written from the format's public description alone:
TFRecord framing (u64 length, masked CRC-32C of the length, data, masked CRC-32C of the data)
around tensorflow.Event protocol buffers (wall_time 1 double, step 2 int64, file_version 3
string, summary 5: Summary.value 1 repeated: tag 1 string, simple_value 2 float). Every CRC is
checked with a bitwise CRC-32C; anything malformed raises ValueError.

Usage: tfevents_read.py FILE   prints one line per scalar: step tag value
"""
import struct
import sys

CASTAGNOLI = 0x82F63B78


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (CASTAGNOLI if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(data, pos):
    value, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("bad varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def fields(message):
    """(number, wire type, value) of each field; bytes for length-delimited ones."""
    pos = 0
    while pos < len(message):
        key, pos = varint(message, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(message, pos)
        elif wire == 1:
            value, pos = message[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = varint(message, pos)
            value, pos = message[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = message[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wire}")
        if pos > len(message):
            raise ValueError("field runs past the message")
        yield number, wire, value


def records(data):
    pos = 0
    while pos < len(data):
        if len(data) - pos < 12:
            raise ValueError("truncated record header")
        header = data[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (length_crc,) = struct.unpack("<I", data[pos + 8:pos + 12])
        if masked(crc32c(header)) != length_crc:
            raise ValueError(f"length CRC mismatch at byte {pos}")
        body = data[pos + 12:pos + 12 + length]
        if len(body) != length or len(data) < pos + 16 + length:
            raise ValueError("truncated record")
        (data_crc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
        if masked(crc32c(body)) != data_crc:
            raise ValueError(f"data CRC mismatch at byte {pos}")
        yield body
        pos += 16 + length


def read_events(path):
    """[{'wall_time', 'step', 'file_version' or 'scalars': [(tag, value)]}] of a file."""
    with open(path, "rb") as f:
        data = f.read()
    events = []
    for body in records(data):
        event = {"step": 0, "scalars": []}
        for number, wire, value in fields(body):
            if number == 1 and wire == 1:
                event["wall_time"] = struct.unpack("<d", value)[0]
            elif number == 2 and wire == 0:
                event["step"] = value
            elif number == 3 and wire == 2:
                event["file_version"] = value.decode()
            elif number == 5 and wire == 2:
                for n, w, summary_value in fields(value):
                    if n != 1 or w != 2:
                        continue
                    tag, simple = None, None
                    for vn, vw, v in fields(summary_value):
                        if vn == 1 and vw == 2:
                            tag = v.decode()
                        elif vn == 2 and vw == 5:
                            simple = struct.unpack("<f", v)[0]
                    event["scalars"].append((tag, simple))
        events.append(event)
    return events


def main(argv):
    for event in read_events(argv[1]):
        for tag, value in event["scalars"]:
            print(event["step"], tag, repr(value))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

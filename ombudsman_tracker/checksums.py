"""SHA-256 checksums of uploaded files, so anyone can confirm later that a file is unchanged."""

import hashlib


def upload_sha256(file) -> str:
    """The checksum of a Django upload, read in chunks and rewound for saving."""
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()

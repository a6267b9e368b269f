"""Rule 1 of the quiz rubric on sentences (`bot.core.quiz.sentences.standalone`): each kind of
sentence a review rejected, refused, beside whole sentences that read on their own."""

from __future__ import annotations

import pytest

from bot.core.quiz.sentences import standalone


@pytest.mark.parametrize("sentence", [
    "What are the options?",  # a header
    "It stores them in base64 on the disk of each node.",  # leans on the sentence before
    "You have to have one, usually GitHub, for the builds.",  # one what?
    "If true, the kubelet restarts the container after a crash.",  # a condition without a subject
    "Only valid for requests obtained from the token endpoint of the server.",  # a predicate, its subject elsewhere
    "Allows setting ipMode for load balancers of every Service in the cluster.",  # a description, no subject
    "The metric is then compared with the target value of the autoscaler.",  # then: after what?
    "glibc) has a limit of six search domains in its resolver configuration.",  # cut parenthesis
    "API server VM shutdown or apiserver crashing during the upgrade window.",  # no verb
    "In these notes we follow the guide of the course for the whole lesson.",  # about the notes
    "Ca, cert, ciphers, crl, key, pass, pfx, and the rest of the options.",  # a list
])
def test_a_sentence_that_needs_its_neighbours_is_refused(sentence: str) -> None:
    assert not standalone(sentence)


@pytest.mark.parametrize("sentence", [
    "By default etcd stores Secrets in base64, which is an encoding and not encryption.",
    "The kubelet talks to the container runtime through the CRI, a gRPC interface.",
    "A PersistentVolumeClaim is a request for storage by a user of the cluster.",
])
def test_a_whole_sentence_reads_alone(sentence: str) -> None:
    assert standalone(sentence)

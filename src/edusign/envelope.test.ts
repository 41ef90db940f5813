import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEnvelope } from './envelope.ts';
import { EdusignError, type EdusignErrorCode, redact, translateBusinessError } from './errors.ts';

const route = 'GET /v1/course/:id';

function codeOf(fn: () => unknown): EdusignErrorCode {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof EdusignError, `not an EdusignError: ${String(error)}`);
    return error.code;
  }
  assert.fail('did not throw');
}

test('success returns the result, whatever it is', () => {
  assert.deepEqual(readEnvelope(route, 200, '{"status":"success","result":{"ID":"c1"}}'), {
    ID: 'c1',
  });
  assert.equal(readEnvelope(route, 200, '{"status":"success","result":true}'), true);
  assert.deepEqual(readEnvelope(route, 200, '{"status":"success","result":[]}'), []);
});

test('a business error on HTTP 200 is read from status, not from the HTTP code', () => {
  const error = (() => {
    try {
      readEnvelope(route, 200, '{"status":"error","message":"course locked"}');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(error instanceof EdusignError);
  assert.equal(error.code, 'edusign.course_locked');
  assert.equal(error.status, 200);
  assert.equal(error.edusignMessage, 'course locked');
  assert.match(error.message, /GET \/v1\/course\/:id/);
});

test('Edusign messages become our codes', () => {
  const cases: Array<[unknown, EdusignErrorCode]> = [
    ['Professor already exists in this school', 'edusign.professor_exists'],
    ['Student already in the list', 'edusign.student_already_in_list'],
    ['course locked', 'edusign.course_locked'],
    ['Course is locked', 'edusign.course_locked'],
    ['Course not found', 'edusign.not_found'],
    ['No student found with this email', 'edusign.not_found'],
    ["This course doesn't exist", 'edusign.not_found'],
    [['NAME is required', 'START must be a date'], 'edusign.validation'],
    ['Something else went wrong', 'edusign.business'],
    [undefined, 'edusign.business'],
    [{ detail: 'odd' }, 'edusign.business'],
  ];
  for (const [message, code] of cases)
    assert.equal(
      translateBusinessError('POST /v1/course', message, 200).code,
      code,
      String(message),
    );
  assert.equal(translateBusinessError('GET /v1/course', 'unlocked', 200).code, 'edusign.business');
});

test('validation messages are joined', () => {
  const error = translateBusinessError(
    'POST /v1/course',
    ['NAME is required', 'END before START'],
    200,
  );
  assert.equal(error.edusignMessage, 'NAME is required; END before START');
  assert.match(error.message, /NAME is required; END before START/);
});

test('401, 402, 403 with plain-text bodies become our codes and say what to do', () => {
  assert.equal(
    codeOf(() => readEnvelope(route, 401, 'Unauthorized')),
    'edusign.unauthorized',
  );
  assert.equal(
    codeOf(() => readEnvelope(route, 402, 'Payment Required')),
    'edusign.payment_required',
  );
  assert.equal(
    codeOf(() => readEnvelope(route, 403, 'Forbidden')),
    'edusign.forbidden',
  );
  try {
    readEnvelope(route, 401, 'Unauthorized');
  } catch (error) {
    assert.ok(error instanceof EdusignError);
    assert.match(error.message, /check edusign\.token/);
    assert.equal(error.transient, false);
  }
  // A JSON body on 401 is still a 401.
  assert.equal(
    codeOf(() => readEnvelope(route, 401, '{"status":"error","message":"bad token"}')),
    'edusign.unauthorized',
  );
});

test('HTML, plain text, empty or envelope-less answers on 200 are bad responses', () => {
  for (const body of [
    '<!DOCTYPE html><html><body>Please sign in</body></html>',
    'OK',
    '',
    '{"ID":"c1"}',
    '[1,2]',
  ])
    assert.equal(
      codeOf(() => readEnvelope(route, 200, body)),
      'edusign.bad_response',
      body,
    );
  try {
    readEnvelope(route, 200, '<html><title>Sign in</title></html>');
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.match(error.message, /HTML page/);
    assert.match(error.message, /edusign\.baseUrl/);
  }
});

test('an envelope error on a 4xx is translated; a bare 404 points at the base URL', () => {
  assert.equal(
    codeOf(() => readEnvelope(route, 400, '{"status":"error","message":["NAME is required"]}')),
    'edusign.validation',
  );
  assert.equal(
    codeOf(() => readEnvelope(route, 404, 'Cannot GET /v2/x')),
    'edusign.bad_response',
  );
  assert.equal(
    codeOf(() => readEnvelope(route, 418, 'teapot')),
    'edusign.bad_response',
  );
});

test('unavailable is the one transient code', () => {
  const error = new EdusignError('edusign.unavailable', 'x', { route });
  assert.equal(error.transient, true);
  assert.equal(error.name, 'EdusignError');
  assert.equal(new EdusignError('edusign.outcome_unknown', 'x', { route }).transient, false);
});

test('redact hides every occurrence of the secret', () => {
  assert.equal(redact('token abc and abc', 'abc'), 'token *** and ***');
  assert.equal(redact('nothing', ''), 'nothing');
});

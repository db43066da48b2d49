import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { pipeline, under } from '../src/http/pipeline.js';

/** An app whose pipeline's steps note where they ran in `res.locals.trail`, sent back by the app's tail. */
function appWith(steps: Parameters<typeof pipeline>[0]) {
  const app = express();
  app.use((_req, res, next) => {
    res.locals.trail = [];
    next();
  });
  app.use(under('/v1', pipeline(steps)));
  app.use((_req, res) => res.status(404).json({ trail: res.locals.trail, tail: 'not found' }));
  app.use(((error, _req, res, _next) => res.status(500).json({ trail: res.locals.trail, tail: String((error as Error).message) })) as ErrorRequestHandler);
  return app;
}

const mark = (name: string): RequestHandler => (_req, res, next) => {
  res.locals.trail.push(name);
  next();
};
const markError = (name: string): ErrorRequestHandler => (error, _req, res, next) => {
  res.locals.trail.push(`${name}(${(error as Error).message})`);
  next(error);
};
const reply: RequestHandler = (_req, res) => {
  res.json({ trail: res.locals.trail });
};

describe('pipeline', () => {
  it('runs request handlers in order and skips error handlers when there is no error', async () => {
    const res = await request(appWith([mark('a'), markError('e'), [mark('b'), mark('c')], reply])).get('/v1/x');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ trail: ['a', 'b', 'c'] });
  });

  it('sends next(error), a throw and a rejected promise to the next error handler, past request handlers', async () => {
    const failing: Record<string, RequestHandler> = {
      next: (_req, _res, next) => next(new Error('passed')),
      throw: () => {
        throw new Error('thrown');
      },
      reject: async () => {
        await Promise.resolve();
        throw new Error('rejected');
      },
    };
    for (const [how, step] of Object.entries(failing)) {
      const res = await request(appWith([mark('a'), step, mark('skipped'), markError('e'), reply])).get('/v1/x');
      const message = { next: 'passed', throw: 'thrown', reject: 'rejected' }[how];
      expect(res.status, how).toBe(500);
      expect(res.body, how).toEqual({ trail: ['a', `e(${message})`], tail: message });
    }
  });

  it('goes back to request handlers when an error handler calls next() without an error', async () => {
    const recover: ErrorRequestHandler = (_error, _req, res, next) => {
      res.locals.trail.push('recovered');
      next();
    };
    const fail: RequestHandler = (_req, _res, next) => next(new Error('x'));
    const res = await request(appWith([fail, mark('skipped'), recover, mark('b'), reply])).get('/v1/x');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ trail: ['recovered', 'b'] });
  });

  it("hands over to the app's next middleware when the steps run out", async () => {
    const res = await request(appWith([mark('a'), mark('b')])).get('/v1/x');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ trail: ['a', 'b'], tail: 'not found' });
  });
});

describe('under', () => {
  it('matches a prefix the way Express mounts one: at a / or ? boundary, in any case', async () => {
    const app = appWith([mark('in'), reply]);
    for (const path of ['/v1', '/v1/', '/v1/tenants/acme', '/v1?x=1', '/V1/tenants']) {
      const res = await request(app).get(path);
      expect(res.body, path).toEqual({ trail: ['in'] });
    }
    for (const path of ['/v10', '/v1x/y', '/x/v1', '/']) {
      const res = await request(app).get(path);
      expect(res.body, path).toEqual({ trail: [], tail: 'not found' });
    }
  });
});

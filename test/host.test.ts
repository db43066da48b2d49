import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { hostClassesFor } from '../src/http/host.js';

describe('hostClassesFor', () => {
  it('constructs requests and responses that already have the app prototypes, and are still Node’s', () => {
    const app = express();
    const classes = hostClassesFor(app);
    const req = new classes.IncomingMessage(new Socket());
    const res = new classes.ServerResponse(req);
    expect(Object.getPrototypeOf(req)).toBe(app.request);
    expect(Object.getPrototypeOf(res)).toBe(app.response);
    expect(req).toBeInstanceOf(IncomingMessage);
    expect(res).toBeInstanceOf(ServerResponse);
    expect(req.headers).toEqual({});
    expect(res.statusCode).toBe(200);
  });

  it('serves an Express app as app.listen would: routing, params, bodies, locals and the app’s helpers', async () => {
    const app = express();
    app.use(express.json());
    app.post('/echo/:id', (req, res) => {
      res.locals.seen = true;
      res.status(201).json({
        id: req.params.id,
        body: req.body as unknown,
        query: req.query,
        sameRequestPrototype: Object.getPrototypeOf(req) === app.request,
        sameResponsePrototype: Object.getPrototypeOf(res) === app.response,
        app: req.app === app,
        locals: res.locals.seen as boolean,
      });
    });
    const server = createServer(hostClassesFor(app), app);
    const response = await request(server).post('/echo/a1?x=1').send({ n: 1 });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({ id: 'a1', body: { n: 1 }, query: { x: '1' }, sameRequestPrototype: true, sameResponsePrototype: true, app: true, locals: true });
    const missing = await request(server).get('/nowhere');
    expect(missing.status).toBe(404);
  });
});

import Joi from 'joi';
import { BODY_MAX, SUBJECT_MAX } from '../../../domain/conversations';
import { matriculeProblem, normalizeMatricule } from '../../../domain/patients';

/** Shared request shapes of the conversation routes. */
export const conversationIdParams = Joi.object({
  id: Joi.number().integer().positive().required(),
});

export const recipient = Joi.object({
  kind: Joi.string().valid('professional', 'structure', 'account').required(),
  id: Joi.number().integer().positive().required(),
}).label('Recipient');

export const recipients = Joi.array().items(recipient).min(1).max(100);

export const matricule = Joi.string()
  .trim()
  .max(20)
  .custom((value: string, helpers) => {
    const problem = matriculeProblem(value);
    return problem
      ? helpers.message({ custom: `INS matricule ${problem}` })
      : normalizeMatricule(value);
  });

export const patient = Joi.object({
  ins: Joi.object({
    matricule: matricule.required(),
    oid: Joi.string()
      .pattern(/^[0-2](\.\d+)+$/)
      .max(64)
      .allow(null),
    birthName: Joi.string().trim().min(1).max(100).required(),
    firstName: Joi.string().trim().min(1).max(100).required(),
    birthDate: Joi.string()
      .pattern(/^\d{4}-\d{2}-\d{2}$/)
      .required(),
    sex: Joi.string().valid('M', 'F', 'I').required(),
  }),
  reference: Joi.string().trim().min(1).max(200),
})
  .xor('ins', 'reference')
  .allow(null)
  .label('Patient');

export const subject = Joi.string().trim().min(1).max(SUBJECT_MAX);
export const body = Joi.string().min(1).max(BODY_MAX);
export const messageId = Joi.string().guid({ version: ['uuidv4', 'uuidv7'] });
export const structureId = Joi.number().integer().positive();
